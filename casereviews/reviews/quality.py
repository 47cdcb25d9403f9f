"""The review's reference data, read from YAML in `reviews/data/` and validated on load: the 18 quality
markers (each with its quality statement and questions) and the milestone plan.

They are data so that a partnership can correct the wording or its plan without a release (DOMAIN.md).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from casereviews.reviews.models import MilestoneKind

DATA_DIR = Path(__file__).resolve().parent / "data"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Stage(_Strict):
    id: str
    label: str


class QualityMarker(_Strict):
    number: int = Field(ge=1)
    stage: str
    title: str
    statement: str
    questions: list[str] = Field(min_length=1)


class QualityMarkers(_Strict):
    confirm: bool = False
    source: str
    stages: list[Stage]
    markers: list[QualityMarker]

    @model_validator(mode="after")
    def numbered_one_to_n_in_known_stages(self) -> QualityMarkers:
        numbers = [marker.number for marker in self.markers]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError("markers must be numbered 1, 2, 3… in order")
        stages = {stage.id for stage in self.stages}
        unknown = {marker.stage for marker in self.markers} - stages
        if unknown:
            raise ValueError(f"markers name unknown stages: {', '.join(sorted(unknown))}")
        return self

    def marker(self, number: int) -> QualityMarker:
        for marker in self.markers:
            if marker.number == number:
                return marker
        raise KeyError(number)

    def stage_label(self, stage_id: str) -> str:
        return next(stage.label for stage in self.stages if stage.id == stage_id)


class PlannedMilestone(_Strict):
    kind: MilestoneKind
    share: float = Field(ge=0, le=1)


class MilestonePlan(_Strict):
    milestones: list[PlannedMilestone]

    @model_validator(mode="after")
    def every_kind_once(self) -> MilestonePlan:
        kinds = [planned.kind for planned in self.milestones]
        if sorted(kinds) != sorted(MilestoneKind):
            raise ValueError(f"the plan must name each milestone once: {', '.join(MilestoneKind.values)}")
        return self


def load_quality_markers(path: Path) -> QualityMarkers:
    return QualityMarkers.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def load_milestone_plan(path: Path) -> MilestonePlan:
    return MilestonePlan.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def quality_markers() -> QualityMarkers:
    return load_quality_markers(DATA_DIR / "quality_markers.yaml")


@lru_cache(maxsize=1)
def milestone_plan() -> MilestonePlan:
    return load_milestone_plan(DATA_DIR / "milestones.yaml")
