"""annotate: gold datasets of entities, claims and dated events, built with Label Studio.

The JSON Schemas in ``schemas/`` define the annotation layers; everything else (the Label
Studio config, the validators, the Hugging Face features) is derived from them.
"""

import typing as _typing
from importlib import import_module as _import_module

if _typing.TYPE_CHECKING:
    from annotate.bench.run import BenchReport, run_extractor, score_predictions
    from annotate.corpus import load_corpus
    from annotate.dataset.run import ExportRun, export_dataset
    from annotate.dataset.writer import ExportOptions, ExportSummary, read_gold
    from annotate.errors import (
        AnnotateError,
        ConfigChangeError,
        CorpusError,
        EmptyDatasetError,
        ExportFileError,
        ExtractorError,
        InvalidInputError,
        LabelStudioError,
        MigrationError,
        OutputExistsError,
        PlanError,
        PredictionsError,
        SchemaError,
        ServerError,
        UsageError,
    )
    from annotate.gold.adjudicate import Adjudication, Disagreement, adjudicate, adjudicate_all
    from annotate.gold.agreement import AgreementReport, agreement
    from annotate.gold.validate import ValidationReport, validate_export
    from annotate.labelstudio.client import Client, Connection, resolve_connection
    from annotate.labelstudio.config import labeling_config
    from annotate.labelstudio.convert import Converted, iter_tasks
    from annotate.labelstudio.pull import PullReport, pull
    from annotate.labelstudio.push import PushOptions, PushReport, push
    from annotate.labelstudio.server import LocalServer
    from annotate.predictions import Prediction, load_predictions, write_predictions
    from annotate.problems import Location, Problem
    from annotate.records import Annotation, Claim, Document, Entity, Event, Submission, Task
    from annotate.schema import SchemaSet
    from annotate.schema.features import document_features, token_features

__version__ = "0.1.0"

# Where each public name lives, in the order of the loop. Imported on first use, so a
# process that needs only a part of annotate (a conversion worker, the CLI's --help) does
# not load datasets.
_HOMES = {
    # the schemas and the records every step passes on
    **dict.fromkeys(("SchemaSet",), "schema"),
    **dict.fromkeys(("Annotation", "Claim", "Document", "Entity", "Event"), "records"),
    **dict.fromkeys(("Submission", "Task"), "records"),
    **dict.fromkeys(("Location", "Problem"), "problems"),
    "load_corpus": "corpus",
    # Label Studio: the server, a connection, the config, push and pull
    "LocalServer": "labelstudio.server",
    **dict.fromkeys(("Client", "Connection", "resolve_connection"), "labelstudio.client"),
    "labeling_config": "labelstudio.config",
    **dict.fromkeys(("PushOptions", "PushReport", "push"), "labelstudio.push"),
    **dict.fromkeys(("PullReport", "pull"), "labelstudio.pull"),
    # convert and validate
    **dict.fromkeys(("Converted", "iter_tasks"), "labelstudio.convert"),
    **dict.fromkeys(("ValidationReport", "validate_export"), "gold.validate"),
    # agreement and adjudication
    **dict.fromkeys(("AgreementReport", "agreement"), "gold.agreement"),
    **dict.fromkeys(
        ("Adjudication", "Disagreement", "adjudicate", "adjudicate_all"), "gold.adjudicate"
    ),
    # the dataset
    **dict.fromkeys(("ExportRun", "export_dataset"), "dataset.run"),
    **dict.fromkeys(("ExportOptions", "ExportSummary", "read_gold"), "dataset.writer"),
    **dict.fromkeys(("document_features", "token_features"), "schema.features"),
    # bench
    **dict.fromkeys(("BenchReport", "run_extractor", "score_predictions"), "bench.run"),
    **dict.fromkeys(("Prediction", "load_predictions", "write_predictions"), "predictions"),
    # one exception tree
    **dict.fromkeys(
        (
            "AnnotateError",
            "ConfigChangeError",
            "CorpusError",
            "EmptyDatasetError",
            "ExportFileError",
            "ExtractorError",
            "InvalidInputError",
            "LabelStudioError",
            "MigrationError",
            "OutputExistsError",
            "PlanError",
            "PredictionsError",
            "SchemaError",
            "ServerError",
            "UsageError",
        ),
        "errors",
    ),
}

# The public names; a test holds them equal to _HOMES (a literal, so type checkers see it).
__all__ = [
    "Adjudication",
    "AgreementReport",
    "AnnotateError",
    "Annotation",
    "BenchReport",
    "Claim",
    "Client",
    "ConfigChangeError",
    "Connection",
    "Converted",
    "CorpusError",
    "Disagreement",
    "Document",
    "EmptyDatasetError",
    "Entity",
    "Event",
    "ExportFileError",
    "ExportOptions",
    "ExportRun",
    "ExportSummary",
    "ExtractorError",
    "InvalidInputError",
    "LabelStudioError",
    "LocalServer",
    "Location",
    "MigrationError",
    "OutputExistsError",
    "PlanError",
    "Prediction",
    "PredictionsError",
    "Problem",
    "PullReport",
    "PushOptions",
    "PushReport",
    "SchemaError",
    "SchemaSet",
    "ServerError",
    "Submission",
    "Task",
    "UsageError",
    "ValidationReport",
    "adjudicate",
    "adjudicate_all",
    "agreement",
    "document_features",
    "export_dataset",
    "iter_tasks",
    "labeling_config",
    "load_corpus",
    "load_predictions",
    "pull",
    "push",
    "read_gold",
    "resolve_connection",
    "run_extractor",
    "score_predictions",
    "token_features",
    "validate_export",
    "write_predictions",
]


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
