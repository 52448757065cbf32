"""The whole pipeline: generate → lint → build → scan → report → tag → push → manifest → verify → attach."""

from imgforge.pipeline.runner import PipelineOptions, PipelineResult, StageResult, run_many, run_pipeline

__all__ = ["PipelineOptions", "PipelineResult", "StageResult", "run_many", "run_pipeline"]
