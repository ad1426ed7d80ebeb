"""Generate a synthetic Label Studio JSON export for the export benchmark.

News-length tasks (~4,000 characters) with ~40 entity regions, ~8 claims (type and a
``said_by`` relation to their speaker) and ~6 dated events each; 20% of the tasks are
annotated twice, the second time with small disagreements. The results follow Label
Studio 1.23's export format for the config printed by ``annotate config``: per-region
attributes are separate results sharing the region id, relations have no id.

Control names, labels and choices come from the schemas; only the made-up vocabulary
below is spelled here. The same arguments always give the same file, written as a stream.

    python benchmarks/gen_export.py 20000 -o /tmp/export-20k.json
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.labelstudio.results import text_hash
from annotate.schema import Layer, SchemaSet

NAMES = {  # made-up vocabulary per entity label (checked against the schema below)
    "PERSON": [
        "Vladimir Putin",
        "Bashar al-Assad",
        "Recep Tayyip Erdogan",
        "Hassan Rouhani",
        "Dmitry Peskov",
        "Sergei Lavrov",
        "Staffan de Mistura",
        "Riyad Hijab",
    ],
    "ORG": [
        "Kremlin",
        "United Nations",
        "Gazprom",
        "General Staff",
        "Russian Air Force",
        "Islamic State",
        "SANA",
        "Syrian Democratic Forces",
    ],
    "GPE": ["Russia", "Syria", "Sochi", "Moscow", "Turkey", "Iran", "Damascus", "Boukamal"],
    "LOC": ["Black Sea", "Euphrates", "Middle East", "Caucasus"],
    "NORP": ["Russian", "Syrian", "Kurdish", "Turkish", "Iranian"],
    "EVENT": ["Syrian People's Congress", "Astana talks", "Geneva talks"],
}
FILLER_TEXT = (
    "the officials said on that day after talks with a statement in which they would "
    "continue to support efforts for peace while critics warned about new risks for "
    "civilians and the region as troops moved closer to positions held by rebels"
)
FILLER = tuple(FILLER_TEXT.split())
EVENT_WORDS = ["summit", "talks", "meeting", "visit", "strike", "vote", "ceasefire", "offensive"]
OUTLETS = ["Test Wire", "Daily Example", "Sample Times"]
TEXT_CHARS = 4000
ENTITIES, CLAIMS, EVENTS = 40, 8, 6
TWICE = 0.2
STAMP = "2017-11-22T10:00:00.000000Z"


@dataclass
class Region:
    """A region of one layer with its attribute values and, for a claim, its speaker."""

    id: str
    layer: str
    start: int
    end: int
    label: str
    values: dict[str, str] = field(default_factory=dict)
    speaker: str | None = None


@dataclass
class Draft:
    """A document under construction: its text and the regions placed in it."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    entities: list[Region] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    events: list[tuple[int, int]] = field(default_factory=list)

    def add(self, text: str) -> tuple[int, int]:
        if self.parts:
            self.parts.append(" ")
            self.length += 1
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start, self.length


def region_id(rng: random.Random) -> str:
    return "".join(rng.choices(string.ascii_letters + string.digits, k=10))


def _sentence(rng: random.Random, draft: Draft, entity_layer: Layer) -> None:
    first = draft.length + (1 if draft.parts else 0)
    words = rng.randint(9, 14)
    mentions = rng.choice((1, 1, 1, 2))
    event_at = rng.randrange(words) if rng.random() < 0.2 else -1
    slots = set(rng.sample(range(words), mentions))
    for i in range(words):
        if i in slots:
            label = rng.choice(entity_layer.labels)
            start, end = draft.add(rng.choice(NAMES[label]))
            draft.entities.append(Region(region_id(rng), entity_layer.name, start, end, label))
        if i == event_at:
            draft.events.append(draft.add(rng.choice(EVENT_WORDS)))
        draft.add(rng.choice(FILLER))
    end = draft.length
    draft.parts.append(".")
    draft.length += 1
    draft.sentences.append((first, end))


def _date(rng: random.Random) -> str:
    return f"{rng.randint(2015, 2018)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def make_document(rng: random.Random, schemas: SchemaSet) -> tuple[str, list[Region]]:
    """The text and the first annotator's regions."""
    entity_layer = schemas.layers["entities"]
    draft = Draft()
    while draft.length < TEXT_CHARS or len(draft.entities) < ENTITIES:
        _sentence(rng, draft, entity_layer)
    text = "".join(draft.parts)
    regions = list(draft.entities)
    free_text = [a.field for a in entity_layer.attributes if a.control == "TextArea"]
    for entity in regions:
        for name in free_text:
            if rng.random() < 0.5:
                entity.values[name] = text[entity.start : entity.end]
    regions += _claims(rng, schemas, draft)
    regions += _events(rng, schemas, draft)
    return text, regions


def _claims(rng: random.Random, schemas: SchemaSet, draft: Draft) -> list[Region]:
    layer = schemas.layers["claims"]
    assert layer.relation is not None
    speakers = [e for e in draft.entities if e.label in layer.relation.target_labels]
    kind = next(a for a in layer.attributes if a.choices)
    out = []
    for start, end in rng.sample(draft.sentences, min(CLAIMS, len(draft.sentences))):
        value = rng.choice(kind.choices)
        # The last claim type (the outlet's own assertion) has no speaker.
        speaker = rng.choice(speakers).id if speakers and value != kind.choices[-1] else None
        values = {kind.field: value}
        out.append(Region(region_id(rng), layer.name, start, end, layer.labels[0], values, speaker))
    return out


def _events(rng: random.Random, schemas: SchemaSet, draft: Draft) -> list[Region]:
    layer = schemas.layers["event_dates"]
    spans = rng.sample(draft.events, min(EVENTS, len(draft.events)))
    out = []
    for start, end in spans:
        values = {
            a.field: (_date(rng) if a.control == "DateTime" else rng.choice(a.choices))
            for a in layer.attributes
        }
        out.append(Region(region_id(rng), layer.name, start, end, layer.labels[0], values))
    return out


def disagree(rng: random.Random, schemas: SchemaSet, regions: list[Region]) -> list[Region]:
    """A second annotator's version: some regions dropped, trimmed or relabelled."""
    speakers = {r.speaker for r in regions if r.speaker}
    out = []
    for region in regions:
        copy = Region(
            region.id,
            region.layer,
            region.start,
            region.end,
            region.label,
            dict(region.values),
            region.speaker,
        )
        roll = rng.random()
        if roll < 0.05 and region.id not in speakers:
            continue
        if roll < 0.10 and copy.end - copy.start > 3:
            copy.end -= 1
        elif roll < 0.13 and region.layer == "entities" and region.id not in speakers:
            copy.label = rng.choice(schemas.layers["entities"].labels)
        elif roll < 0.18:
            for attribute in schemas.layers[region.layer].attributes:
                if attribute.choices and attribute.field in copy.values:
                    copy.values[attribute.field] = rng.choice(attribute.choices)
        out.append(copy)
    return out


def results(regions: list[Region], text: str, schemas: SchemaSet) -> list[dict[str, Any]]:
    """Label Studio results: a labels result per region, one per attribute, relations."""
    out: list[dict[str, Any]] = []
    for region in regions:
        layer = schemas.layers[region.layer]
        value = {"start": region.start, "end": region.end, "text": text[region.start : region.end]}
        out.append(_result(region.id, layer.name, "labels", {**value, "labels": [region.label]}))
        for attribute in layer.attributes:
            raw = region.values.get(attribute.field)
            if raw is None:
                continue
            kind = attribute.control.lower()
            if attribute.control == "Choices":
                extra: dict[str, Any] = {"choices": [raw]}
            elif attribute.control == "DateTime":
                extra = {"datetime": raw}
            else:
                extra = {"text": [raw]}
            out.append(_result(region.id, layer.control_name(attribute), kind, {**value, **extra}))
        if region.speaker and layer.relation is not None:
            out.append(
                {
                    "from_id": region.id,
                    "to_id": region.speaker,
                    "type": "relation",
                    "direction": "right",
                    "labels": [layer.relation.name],
                }
            )
    return out


def _result(rid: str, from_name: str, kind: str, value: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": value,
        "id": rid,
        "from_name": from_name,
        "to_name": "text",
        "type": kind,
        "origin": "manual",
    }


def annotation(
    ann_id: int, task_id: int, user: int, result: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": ann_id,
        "completed_by": user,
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": STAMP,
        "updated_at": STAMP,
        "draft_created_at": None,
        "lead_time": 312.5,
        "prediction": {},
        "result_count": len(result),
        "unique_id": None,
        "import_id": None,
        "last_action": None,
        "bulk_created": False,
        "task": task_id,
        "project": 1,
        "updated_by": user,
        "parent_prediction": None,
        "parent_annotation": None,
        "last_created_by": None,
    }


def make_task(index: int, seed: int, schemas: SchemaSet) -> dict[str, Any]:
    rng = random.Random(f"{seed}-{index}")
    text, regions = make_document(rng, schemas)
    task_id = index + 1
    first = rng.randint(1, 5)
    annotations = [annotation(2 * task_id, task_id, first, results(regions, text, schemas))]
    if rng.random() < TWICE:
        second = first % 5 + 1
        other = results(disagree(rng, schemas, regions), text, schemas)
        annotations.append(annotation(2 * task_id + 1, task_id, second, other))
    data = {
        "text": text,
        "outlet": rng.choice(OUTLETS),
        "published": "2017-11-21",
        "doc_id": f"{index:06d}_{rng.getrandbits(32):08x}",
        "language": "en",
        "text_sha256": text_hash(text),
    }
    return {
        "id": task_id,
        "annotations": annotations,
        "file_upload": None,
        "drafts": [],
        "predictions": [],
        "data": data,
        "meta": {},
        "created_at": STAMP,
        "updated_at": STAMP,
        "inner_id": task_id,
        "total_annotations": len(annotations),
        "cancelled_annotations": 0,
        "total_predictions": 0,
        "comment_count": 0,
        "unresolved_comment_count": 0,
        "last_comment_updated_at": None,
        "project": 1,
        "updated_by": None,
        "comment_authors": [],
    }


def tasks(count: int, seed: int, schemas: SchemaSet) -> Iterator[dict[str, Any]]:
    for index in range(count):
        yield make_task(index, seed, schemas)


def write_export(path: Path, count: int, seed: int = 0) -> None:
    """Write ``count`` tasks to ``path``, one at a time."""
    schemas = SchemaSet()
    unknown = set(NAMES) ^ set(schemas.layers["entities"].labels)
    if unknown:
        raise SystemExit(f"the vocabulary and the schema's entity labels differ: {unknown}")
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.write("[")
        for i, task in enumerate(tasks(count, seed, schemas)):
            out.write(",\n" if i else "\n")
            out.write(json.dumps(task, ensure_ascii=False))
        out.write("\n]\n")
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tasks", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    write_export(args.output, args.tasks, args.seed)
    print(f"wrote {args.tasks} tasks to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
