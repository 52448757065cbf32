"""The whole pipeline: generate → lint → build → scan → report → verify → tag → push → manifest → attach."""

from imgforge.pipeline.runner import overall_exit, run_many, run_pipeline
from imgforge.pipeline.state import PipelineOptions, PipelineResult, PipelineState, StageResult

__all__ = ["PipelineOptions", "PipelineResult", "PipelineState", "StageResult", "overall_exit", "run_many",
           "run_pipeline"]
