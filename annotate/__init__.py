"""annotate: gold datasets of entities, claims and dated events, built with Label Studio.

The JSON Schemas in ``schemas/`` define the annotation layers; everything else (the Label
Studio config, the validators, the Hugging Face features) is derived from them.
"""

from annotate.bench import BenchReport, bench, run_extractor
from annotate.corpus import load_corpus
from annotate.dataset import export_dataset, read_gold
from annotate.errors import (
    AnnotateError,
    ConfigChangeError,
    CorpusError,
    ExportFileError,
    ExtractorError,
    InvalidInputError,
    LabelStudioError,
    OutputExistsError,
    PredictionsError,
    SchemaError,
    ServerError,
)
from annotate.features import document_features, token_features
from annotate.labelconfig import labeling_config
from annotate.predictions import Prediction, load_predictions, write_predictions
from annotate.problems import Location, Problem
from annotate.records import Annotation, Claim, Document, Entity, Event, Submission, Task
from annotate.schema import SchemaSet
from annotate.validate import ValidationReport, validate_export

__version__ = "0.1.0"

__all__ = [
    "AnnotateError",
    "Annotation",
    "BenchReport",
    "Claim",
    "ConfigChangeError",
    "CorpusError",
    "Document",
    "Entity",
    "Event",
    "ExportFileError",
    "ExtractorError",
    "InvalidInputError",
    "LabelStudioError",
    "Location",
    "OutputExistsError",
    "Prediction",
    "PredictionsError",
    "Problem",
    "SchemaError",
    "SchemaSet",
    "ServerError",
    "Submission",
    "Task",
    "ValidationReport",
    "bench",
    "document_features",
    "export_dataset",
    "labeling_config",
    "load_corpus",
    "load_predictions",
    "read_gold",
    "run_extractor",
    "token_features",
    "validate_export",
    "write_predictions",
]
