"""annotate: gold datasets of entities, claims and dated events, built with Label Studio.

The JSON Schemas in ``schemas/`` define the annotation layers; everything else (the Label
Studio config, the validators, the Hugging Face features) is derived from them.
"""

from annotate.corpus import load_corpus
from annotate.errors import (
    AnnotateError,
    ConfigChangeError,
    CorpusError,
    ExportFileError,
    InvalidInputError,
    LabelStudioError,
    OutputExistsError,
    PredictionsError,
    SchemaError,
    ServerError,
)
from annotate.features import document_features, token_features
from annotate.labelconfig import labeling_config
from annotate.problems import Location, Problem
from annotate.records import Annotation, Claim, Document, Entity, Event, Submission, Task
from annotate.schema import SchemaSet
from annotate.validate import ValidationReport, validate_export

__version__ = "0.1.0"

__all__ = [
    "AnnotateError",
    "Annotation",
    "Claim",
    "ConfigChangeError",
    "CorpusError",
    "Document",
    "Entity",
    "Event",
    "ExportFileError",
    "InvalidInputError",
    "LabelStudioError",
    "Location",
    "OutputExistsError",
    "PredictionsError",
    "Problem",
    "SchemaError",
    "SchemaSet",
    "ServerError",
    "Submission",
    "Task",
    "ValidationReport",
    "document_features",
    "labeling_config",
    "load_corpus",
    "token_features",
    "validate_export",
]
