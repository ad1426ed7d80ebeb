"""annotate: gold datasets of entities, claims and dated events, built with Label Studio.

The JSON Schemas in ``schemas/`` define the annotation layers; everything else (the Label
Studio config, the validators, the Hugging Face features) is derived from them.
"""

import typing as _typing
from importlib import import_module as _import_module

if _typing.TYPE_CHECKING:
    from annotate.bench.run import BenchReport, run_extractor
    from annotate.corpus import load_corpus
    from annotate.dataset.run import export_dataset
    from annotate.dataset.writer import read_gold
    from annotate.errors import (
        AnnotateError,
        ConfigChangeError,
        CorpusError,
        EmptyDatasetError,
        ExportFileError,
        ExtractorError,
        InvalidInputError,
        LabelStudioError,
        OutputExistsError,
        PredictionsError,
        SchemaError,
        ServerError,
        UsageError,
    )
    from annotate.gold.validate import ValidationReport, validate_export
    from annotate.labelstudio.config import labeling_config
    from annotate.predictions import Prediction, load_predictions, write_predictions
    from annotate.problems import Location, Problem
    from annotate.records import Annotation, Claim, Document, Entity, Event, Submission, Task
    from annotate.schema import SchemaSet
    from annotate.schema.features import document_features, token_features

__version__ = "0.1.0"

__all__ = [
    "AnnotateError",
    "Annotation",
    "BenchReport",
    "Claim",
    "ConfigChangeError",
    "CorpusError",
    "Document",
    "EmptyDatasetError",
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
    "UsageError",
    "ValidationReport",
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

# Where each public name lives. Imported on first use, so a process that needs only a
# part of annotate (a conversion worker, the CLI's --help) does not load datasets.
_HOMES = {
    "BenchReport": "bench.run",
    "run_extractor": "bench.run",
    "load_corpus": "corpus",
    "export_dataset": "dataset.run",
    "read_gold": "dataset.writer",
    "document_features": "schema.features",
    "token_features": "schema.features",
    "labeling_config": "labelstudio.config",
    "Prediction": "predictions",
    "load_predictions": "predictions",
    "write_predictions": "predictions",
    "Location": "problems",
    "Problem": "problems",
    "SchemaSet": "schema",
    "ValidationReport": "gold.validate",
    "validate_export": "gold.validate",
}
_HOMES.update(dict.fromkeys(("Annotation", "Claim", "Document", "Entity", "Event"), "records"))
_HOMES.update(dict.fromkeys(("Submission", "Task"), "records"))
_HOMES.update({name: "errors" for name in __all__ if name.endswith("Error")})


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'annotate' has no attribute {name!r}")
    module = _import_module(f"annotate.{home}")
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
