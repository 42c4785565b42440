"""Which pipeline belongs to which document model (filled by each app's ``documents`` module)."""

from typing import Any

from apps.core.documents.pipeline import Pipeline

_PIPELINES: dict[str, Pipeline] = {}


def register(model: Any, pipeline: Pipeline) -> Pipeline:
    _PIPELINES[model._meta.label_lower] = pipeline
    return pipeline


def pipeline_of(document: Any) -> Pipeline:
    return _PIPELINES[document._meta.label_lower]
