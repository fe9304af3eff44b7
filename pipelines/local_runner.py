"""The local runner: Beam's FnApiRunner with its stage outputs and shuffles spilled to disk past a budget, and
bundles of bounded size.

Why: the FnApiRunner keeps every PCollection that crosses a fusion break in the runner process's memory until
its consumers have run: stage outputs as encoded chunks, GroupByKey inputs as a dict of *decoded* values (about
4.8 KB per governed record, 200 bytes or more per small key-value pair). Measured: 11-22 KB per document in the
runner, so memory grows with the corpus. Dataflow, Flink and Spark shuffle through disk; offline none of them
runs here (FACTS.md), and the FnApiRunner has no option to spill.

`local_runner(budget_mb)` gives the FnApiRunner with two of its buffer classes replaced for the duration of a
run. Past `budget_mb` a stage output's chunks go to a file; a GroupByKey's table is written as a sorted run, and
the runs are merged key by key (`MERGE_WIDTH` at a time) when the grouped output is read. Under the budget
nothing changes: small runs (the tests, the sample) behave exactly as on the FnApiRunner. Files live in a
temporary directory (under `spill_dir`), each deleted when no buffer needs it and all at the end of the run; disk
use peaks at about the encoded size of the data between two stages.

It also tells glibc's allocator (in the runner and, through the environment, in the workers it starts) to give
freed memory back: with gRPC threads each getting an arena and 10 MB messages coming and going, the resident
size otherwise stays at its high-water mark.

It also runs each worker's share of a stage as several bundles. Beam sends a worker its whole share of a
stage's input as one message before it starts the bundle (`BundleManager.process_bundle`), so the runner and
the worker would each hold a whole share (O(N)), and a share over 2 GB (protobuf's limit) stalls the run.
Here the share is cut into bundles of at most `BUNDLE_BYTES` of input (whole chunks, every chunk holding whole
elements; a larger chunk goes alone), sent and run one after another on that worker, each exactly as Beam runs
a bundle; their outputs go to the same buffers and their monitoring infos are merged as Beam merges the
workers'. Streaming one big bundle's input in smaller messages instead does not work: the input must fit
Beam's bounded queues before the bundle starts (a test of that lost records). More bundles means more
`start_bundle`/`finish_bundle` calls: the governance stages keep no state per bundle (only `setup`, per worker).
Stateful stages, timers and Beam's test splits keep Beam's own bundle managers (the pipeline uses none).
Measured figures: README, "Performance".

The cost of depending on private code: the two classes and the buffer protocol (`append`, `extend`, `copy`,
`partition`, iteration) of `apache_beam.runners.portability.fn_api_runner.execution`, and
`FnApiRunner._get_bundle_manager` with the `BundleManager` it returns, in Beam 2.77. If a Beam
upgrade changes them, `tests/test_local_runner.py` fails; until fixed, `run.spill_budget_mb: 0` runs the plain
FnApiRunner. Only global windowing is spilled (the governance pipeline uses nothing else).
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import os
import struct
import sys
import tempfile
import weakref
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from operator import itemgetter
from typing import Any, BinaryIO

from apache_beam.coders.coder_impl import create_InputStream, create_OutputStream
from apache_beam.metrics.monitoring_infos import consolidate
from apache_beam.portability.api import beam_fn_api_pb2
from apache_beam.runners.portability.fn_api_runner import execution, fn_runner
from apache_beam.runners.portability.fn_api_runner.fn_runner import BundleManager, FnApiRunner
from apache_beam.transforms.window import GlobalWindow, GlobalWindows
from apache_beam.utils import windowed_value

CHUNK_BYTES = 8 << 20  # grouped output is handed to a worker in chunks of about this size
RUN_CHUNK_BYTES = 1 << 20  # a sorted run is read back this much at a time: merging holds one chunk per run
BUNDLE_BYTES = 32 << 20  # input of one bundle: a worker's share of a stage runs as bundles of about this size
MERGE_WIDTH = 32  # runs merged at once: more runs are first merged into longer ones
KEY_BYTES = 256  # what a decoded key, its list and a small value cost beyond their encoded bytes (about)
_LENGTH = struct.Struct(">I")


# glibc's mallopt parameters, and the values that keep the resident size near what is in use.
_MALLOPT = {-8: 2, -3: 128 << 10, -1: 128 << 10}  # M_ARENA_MAX, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
_MALLOC_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_TRIM_THRESHOLD_": "131072"}


def local_runner(budget_mb: float, spill_dir: str | None = None, **kwargs: Any) -> FnApiRunner:
    """The local runner: spilling past `budget_mb` per buffer, or the plain FnApiRunner when it is 0."""
    if budget_mb == 0:
        return FnApiRunner(**kwargs)
    return SpillingFnApiRunner(budget_mb, spill_dir, **kwargs)


def return_freed_memory() -> None:
    """Make glibc return freed memory to the system, here and in processes started from now on (see above)."""
    for name, value in _MALLOC_ENV.items():
        os.environ.setdefault(name, value)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL("libc.so.6")
        except OSError:  # not glibc (musl): nothing to tune
            return
        for parameter, value in _MALLOPT.items():
            libc.mallopt(parameter, value)


class SpillingFnApiRunner(FnApiRunner):
    """The FnApiRunner whose buffers spill to disk past `budget_mb` each (see the module's docstring)."""

    def __init__(self, budget_mb: float, spill_dir: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if budget_mb <= 0:
            raise ValueError("budget_mb must be > 0 (use the plain FnApiRunner for no spilling)")
        self.budget_bytes, self.spill_dir = int(budget_mb * (1 << 20)), spill_dir
        return_freed_memory()

    def run_stages(self, stage_context, stages):  # noqa: ANN001, ANN201 (Beam's signature)
        with (
            tempfile.TemporaryDirectory(prefix="corpusgate-spill-", dir=self.spill_dir) as directory,
            _spilling_buffers(_SpillArea(directory, self.budget_bytes)),
        ):
            return super().run_stages(stage_context, stages)

    def _get_bundle_manager(self, bundle_context_manager):  # noqa: ANN001, ANN202 (Beam's signature)
        if bundle_context_manager.stage.is_stateful():  # one key must not run on two workers: Beam's way
            return super()._get_bundle_manager(bundle_context_manager)
        return _BoundedBundleManager(bundle_context_manager, self._progress_frequency)


class _BoundedBundleManager(BundleManager):
    """Runs a stage as Beam's ParallelBundleManager does, one share per worker at once, but each share as bundles
    of at most `BUNDLE_BYTES` of input, one after another on its worker (see the module's docstring)."""

    def __init__(self, bundle_context_manager: execution.BundleContextManager, progress_frequency: Any) -> None:
        super().__init__(bundle_context_manager, progress_frequency, FnApiRunner.get_cache_token_generator(False))

    def process_bundle(self, inputs, expected_outputs, fired_timers, expected_output_timers, dry_run=False):
        if fired_timers or expected_output_timers or self._select_split_manager():  # not ours: Beam's way
            return fn_runner.ParallelBundleManager(
                self.bundle_context_manager, self._progress_frequency, self._cache_token_generator
            ).process_bundle(inputs, expected_outputs, fired_timers, expected_output_timers, dry_run)
        workers = self.bundle_context_manager.worker_handlers
        shares: list[dict[str, Iterable[bytes]]] = [{} for _ in workers]
        for name, buffer in inputs.items():
            for share, part in zip(shares, buffer.partition(len(workers)), strict=True):
                share[name] = part

        def run_share(worker: Any, share: dict[str, Iterable[bytes]]) -> list[beam_fn_api_pb2.InstructionResponse]:
            on_worker = _OnWorker(self.bundle_context_manager, worker)
            results = []
            for bundle in _bundles(share):
                manager = BundleManager(on_worker, self._progress_frequency, self._cache_token_generator)
                results.append(manager.process_bundle(bundle, expected_outputs, {}, {}, dry_run)[0])
                if manager._worker_handler is not worker:  # fail loudly if a Beam upgrade changes how it picks
                    raise RuntimeError("Beam's BundleManager no longer runs a bundle on the worker it is offered")
            return results

        with ThreadPoolExecutor(len(workers)) as pool:
            results = [result for share in pool.map(run_share, workers, shares) for result in share]
        merged = beam_fn_api_pb2.ProcessBundleResponse(
            monitoring_infos=consolidate(info for result in results for info in result.process_bundle.monitoring_infos),
            residual_roots=[root for result in results for root in result.process_bundle.residual_roots],
        )
        return beam_fn_api_pb2.InstructionResponse(process_bundle=merged), []


class _OnWorker:
    """A stage's BundleContextManager that offers one worker only: Beam's BundleManager picks it for its bundle."""

    def __init__(self, context: execution.BundleContextManager, worker: Any) -> None:
        self._context, self.worker_handlers = context, [worker]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)


def _bundles(share: dict[str, Iterable[bytes]]) -> Iterator[dict[str, list[bytes]]]:
    """A worker's share as bundle inputs, each naming every input of the stage (the worker waits for each to end)
    and filling one of them; one empty bundle for an empty share, as Beam would run."""
    empty: dict[str, list[bytes]] = {name: [] for name in share}
    ran = False
    for name, chunks in share.items():
        for batch in _batches(chunks):
            ran = True
            yield empty | {name: batch}
    if not ran:
        yield empty


def _batches(chunks: Iterable[bytes]) -> Iterator[list[bytes]]:
    """Consecutive chunks of at most `BUNDLE_BYTES` together (a larger chunk alone), read one chunk at a time."""
    batch: list[bytes] = []
    size = 0
    for chunk in chunks:
        if batch and size + len(chunk) > BUNDLE_BYTES:
            yield batch
            batch, size = [], 0
        batch.append(chunk)
        size += len(chunk)
    if batch:
        yield batch


class _SpillArea:
    """Where one run's buffers spill, and how much each may hold in memory first."""

    def __init__(self, directory: str, budget_bytes: int) -> None:
        self.directory, self.budget_bytes = directory, budget_bytes
        self._names = itertools.count()

    def new_file(self) -> _SpillFile:
        return _SpillFile(os.path.join(self.directory, f"{next(self._names):06d}"))


class _SpillFile:
    """An append-only file, deleted once no buffer refers to it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._out: BinaryIO | None = open(path, "wb")  # noqa: SIM115 (closed by `close`)
        weakref.finalize(self, _remove, path)

    def write(self, data: bytes) -> tuple[int, int]:
        assert self._out is not None, "spill file already closed"
        offset = self._out.tell()
        self._out.write(data)
        return offset, len(data)

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


def _remove(path: str) -> None:
    with suppress(FileNotFoundError):  # the run's directory went first
        os.remove(path)


class _Chunk:
    """One chunk of encoded elements on disk; keeps its file alive."""

    __slots__ = ("file", "offset", "length")

    def __init__(self, file: _SpillFile, offset: int, length: int) -> None:
        self.file, self.offset, self.length = file, offset, length

    def read(self) -> bytes:
        with open(self.file.path, "rb") as data:
            data.seek(self.offset)
            return data.read(self.length)


class _Chunks:
    """Chunks in memory (bytes) or on disk (_Chunk), read one at a time: what a worker is sent."""

    def __init__(self, chunks: list[bytes | _Chunk]) -> None:
        self.chunks = chunks

    def __len__(self) -> int:
        return len(self.chunks)

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            yield chunk if isinstance(chunk, bytes) else chunk.read()


def _write_chunks(area: _SpillArea, chunks: Iterable[bytes]) -> list[_Chunk]:
    file = area.new_file()
    spilled = [_Chunk(file, *file.write(chunk)) for chunk in chunks]
    file.close()
    return spilled


class _SpillingListBuffer(execution.ListBuffer):
    """A stage output: chunks of encoded elements, in memory up to the budget, then on disk."""

    area: _SpillArea

    def __init__(self, coder_impl: Any) -> None:
        super().__init__(coder_impl)
        self._spilled: list[_Chunk] = []
        self._held = 0

    def append(self, element: bytes) -> None:
        super().append(element)
        self._held += len(element)
        if self._held > self.area.budget_bytes:
            self._spilled += _write_chunks(self.area, self._inputs)
            self._inputs, self._held = [], 0

    def extend(self, extra: execution.Buffer) -> None:
        if self.cleared or self._grouped_output:
            raise RuntimeError("Trying to extend a ListBuffer that was cleared or read.")
        self._inputs.extend(extra._inputs)
        self._spilled += getattr(extra, "_spilled", [])

    def copy(self) -> _SpillingListBuffer:
        new = type(self)(self._coder_impl)
        new._inputs, new._spilled, new._held = list(self._inputs), list(self._spilled), self._held
        return new

    def partition(self, n: int) -> list[Any]:
        if not self._spilled:
            return super().partition(n)
        chunks: list[bytes | _Chunk] = [*self._spilled, *self._inputs]
        return [_Chunks(chunks[k::n]) for k in range(n)]

    def __iter__(self) -> Iterator[bytes]:
        inputs = super().__iter__()  # refuses a cleared buffer
        return itertools.chain(_Chunks(list(self._spilled)), inputs)

    def clear(self) -> None:
        super().clear()
        self._spilled = []


class _SpillingGroupingBuffer(execution.GroupingBuffer):
    """A GroupByKey: its table in memory up to the budget, then sorted runs on disk, merged when read."""

    area: _SpillArea

    def __init__(self, pre_grouped_coder: Any, post_grouped_coder: Any, windowing: Any) -> None:
        super().__init__(pre_grouped_coder, post_grouped_coder, windowing)
        self._runs: list[_Chunks] = []
        self._held = 0

    def append(self, elements_data: bytes) -> None:
        super().append(elements_data)
        self._held += len(elements_data)
        if self._held + KEY_BYTES * len(self._table) > self.area.budget_bytes and self._windowing.is_default():
            self._spill_run()

    def extend(self, input_buffer: execution.Buffer) -> None:
        super().extend(input_buffer)
        self._runs += getattr(input_buffer, "_runs", [])

    def _spill_run(self) -> None:
        """Write the table as one run: (encoded key, encoded grouped element) pairs sorted by key."""
        encode = _grouped_encoder(self._post_grouped_coder)
        decode_key = self._key_coder.get_impl().decode
        table = self._table
        self._runs.append(self._write_run((key, encode(decode_key(key), table[key])) for key in sorted(table)))
        table.clear()
        self._held = 0

    def _write_run(self, entries: Iterable[tuple[bytes, bytes]]) -> _Chunks:
        file, out, chunks = self.area.new_file(), create_OutputStream(), []
        for key, element in entries:
            out.write(_LENGTH.pack(len(key)) + key + _LENGTH.pack(len(element)) + element)
            if out.size() >= RUN_CHUNK_BYTES:
                chunks.append(_Chunk(file, *file.write(out.get())))
                out = create_OutputStream()
        if out.size():
            chunks.append(_Chunk(file, *file.write(out.get())))
        file.close()
        return _Chunks(chunks)

    def partition(self, n: int) -> list[Any]:
        if not self._runs:
            return super().partition(n)
        if self._grouped_output is None:
            if self._table:
                self._spill_run()
            self._grouped_output = self._merge_runs(n)
        return self._grouped_output

    def _merge_runs(self, n: int) -> list[_Chunks]:
        """Merge the runs key by key into `n` shares, each written as chunks of whole grouped elements. Runs are
        first merged `MERGE_WIDTH` at a time into longer ones, so that merging never reads more than
        `MERGE_WIDTH` chunks at once however many runs the input made."""
        while len(self._runs) > MERGE_WIDTH:
            batches = [self._runs[i : i + MERGE_WIDTH] for i in range(0, len(self._runs), MERGE_WIDTH)]
            self._runs = [self._write_run(self._merged(batch)) for batch in batches]
        shares = [(self.area.new_file(), create_OutputStream(), []) for _ in range(n)]
        for index, (_, element) in enumerate(self._merged(self._runs)):
            file, out, chunks = shares[index % n]
            out.write(element)
            if out.size() >= CHUNK_BYTES:
                chunks.append(_Chunk(file, *file.write(out.get())))
                shares[index % n] = (file, create_OutputStream(), chunks)
        result = []
        for file, out, chunks in shares:
            if out.size():
                chunks.append(_Chunk(file, *file.write(out.get())))
            file.close()
            result.append(_Chunks(chunks))
        self._runs = []
        return result

    def _merged(self, runs: list[_Chunks]) -> Iterator[tuple[bytes, bytes]]:
        """The entries of `runs` in key order, one per key: a key found in several runs gets all its values."""
        coder = self._post_grouped_coder.get_impl()
        encode = _grouped_encoder(self._post_grouped_coder)
        merged = heapq.merge(*(_run_entries(run) for run in runs), key=itemgetter(0))
        for key, entries in itertools.groupby(merged, key=itemgetter(0)):
            elements = [element for _, element in entries]
            if len(elements) == 1:
                yield key, elements[0]
            else:
                groups = [coder.decode_from_stream(create_InputStream(e), True).value for e in elements]
                yield key, encode(groups[0][0], [value for _, values in groups for value in values])


def _run_entries(run: _Chunks) -> Iterator[tuple[bytes, bytes]]:
    """(encoded key, encoded grouped element) pairs of a spilled run, in key order (entries never straddle
    chunks)."""
    for data in run:
        position = 0
        while position < len(data):
            (key_length,) = _LENGTH.unpack_from(data, position)
            key = data[position + 4 : position + 4 + key_length]
            position += 4 + key_length
            (element_length,) = _LENGTH.unpack_from(data, position)
            yield key, data[position + 4 : position + 4 + element_length]
            position += 4 + element_length


def _grouped_encoder(post_grouped_coder: Any):  # noqa: ANN202
    """Encode (key, values) as the FnApiRunner hands a grouped element to a worker: global window, on time."""
    coder = post_grouped_coder.get_impl()
    pane = windowed_value.PaneInfo(
        is_first=True, is_last=True, timing=windowed_value.PaneInfoTiming.ON_TIME, index=0, nonspeculative_index=0
    )
    in_global_window = GlobalWindows.windowed_value(None, timestamp=GlobalWindow().max_timestamp(), pane_info=pane)

    def encode(key: Any, values: list[Any]) -> bytes:
        out = create_OutputStream()
        coder.encode_to_stream(in_global_window.with_value((key, values)), out, True)
        return out.get()

    return encode


@contextmanager
def _spilling_buffers(area: _SpillArea) -> Iterator[None]:
    """Swap the FnApiRunner's buffer classes for spilling ones bound to `area`, for one run."""
    list_buffer = type("ListBuffer", (_SpillingListBuffer,), {"area": area})
    grouping_buffer = type("GroupingBuffer", (_SpillingGroupingBuffer,), {"area": area})
    # fn_runner imported ListBuffer by name (timers, deferred inputs): swapped too, so that every buffer of the
    # run is of one kind and `extend` never meets a buffer that would drop spilled chunks.
    saved = (execution.ListBuffer, execution.GroupingBuffer, fn_runner.ListBuffer)
    execution.ListBuffer, execution.GroupingBuffer, fn_runner.ListBuffer = list_buffer, grouping_buffer, list_buffer
    try:
        yield
    finally:
        execution.ListBuffer, execution.GroupingBuffer, fn_runner.ListBuffer = saved
