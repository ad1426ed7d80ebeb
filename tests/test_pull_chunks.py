"""How a pull cuts task ids into export requests: every id once, in order, and no URL
longer than a gunicorn request line allows."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from annotate.labelstudio.pull import CHUNK, URL_BUDGET, id_chunks

BASE = "http://127.0.0.1:8080/api/projects/123456/export?exportType=JSON&download_all_tasks=true"


@given(st.lists(st.integers(min_value=1, max_value=10**12), unique=True, max_size=3000))
def test_chunks_keep_every_id_once_within_the_budget(ids: list[int]) -> None:
    ids.sort()
    chunks = list(id_chunks(BASE, ids))
    assert [i for chunk in chunks for i in chunk] == ids
    for chunk in chunks:
        assert chunk and len(chunk) <= CHUNK
        assert len(BASE + "".join(f"&ids[]={i}" for i in chunk)) <= URL_BUDGET


def test_small_ids_fill_whole_chunks() -> None:
    chunks = list(id_chunks(BASE, list(range(1, 1001))))
    assert len(chunks[0]) > 300  # about 10 bytes of URL per id of three digits
    assert len(chunks) == 3
