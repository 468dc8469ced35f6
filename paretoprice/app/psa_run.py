"""Running a probabilistic sensitivity analysis: chunks on Dask, a resumable chunk store,
the summaries and the output set.

Draw ``i`` is row ``i`` of the seeded design (:meth:`UncertaintyModel.uniforms`), fixed
before any work is split, so the results depend on the seed, the number of draws, the
sampling and the chunk size only, never on the workers. Chunks run on a Dask cluster (a
local one by default, or any scheduler address) or in-process (``scheduler="inline"``);
every finished chunk is written atomically to the chunk store beside the output folder
(``.<out>.psa-chunks``), so a killed run resumes with ``resume=True`` and recomputes only
the chunks that are missing. The output folder appears whole: it is written into a
temporary folder beside it and renamed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from paretoprice.optim.errors import ParameterError, ParetoPriceError
from paretoprice.optim.problem import PricingProblem
from paretoprice.optim.psa import (
    PsaSetup,
    bind,
    combine,
    evaluate_draw,
    has_incremental,
    has_pathway,
    histogram_quantiles,
    objective_senses,
    pilot_edges,
    run_chunk,
)
from paretoprice.optim.spec import OBJECTIVE_SENSES

logger = logging.getLogger(__name__)

DEFAULT_WTP: tuple[float, ...] = tuple(float(x) for x in range(0, 200_001, 10_000))
"""Willingness-to-pay grid, USD per QALY (0 to 200,000 by 10,000; holds 50k/100k/150k)."""

SUMMARY_WTP: tuple[float, ...] = (50_000.0, 100_000.0, 150_000.0)
"""Thresholds of the printed summary, USD per QALY (the common US range)."""

TIMING_FIELDS: tuple[str, ...] = ("run",)
"""Keys of psa.json that change between identical runs (timing, scheduler, workers)."""

CHUNK_STORE_VERSION = 1

MMAP_THRESHOLD = 32 * 2**20
"""``MALLOC_MMAP_THRESHOLD_`` given to local Dask workers, bytes. Dask's nanny sets
``MALLOC_TRIM_THRESHOLD_``, which stops glibc from raising its mmap threshold: every
temporary array of the ladder (21,296 floats, 170 kB) is then mapped and unmapped, and a
draw runs about 1.6x slower. A fixed 32 MB threshold restores in-process speed. Start the
workers of your own cluster with this variable set too."""


def ladder_matrix(problem: PricingProblem) -> np.ndarray:
    """``(n_cand, n_var)`` every point of the decision ladder (C order over decisions)."""
    ladders = problem.ladders()
    mesh = np.meshgrid(*ladders, indexing="ij")
    return np.column_stack([m.ravel() for m in mesh])


def _band_mask(problem: PricingProblem, X: np.ndarray, variable: str, low: float,
               high: float) -> np.ndarray:
    col = problem.decision_names.index(variable)
    x = X[:, col]
    mask = (x >= low - 1e-9) & (x <= high + 1e-9)
    if not mask.any():  # a price between two rungs: the nearest rung(s)
        d = np.abs(x - (low + high) / 2)
        mask = d <= d.min() + 1e-9
    return mask


@dataclass(frozen=True)
class PsaConfig:
    """Settings of one PSA run (everything that determines its results).

    Attributes
    ----------
    draws, seed, sampling
        Number of draws, seed, ``lhs`` (Latin hypercube) or ``mc`` (plain Monte Carlo).
    chunk_size
        Draws per chunk (the unit of work, of the chunk store and of resumption).
    wtp
        Willingness-to-pay grid, USD per QALY.
    bins
        Histogram bins per candidate and objective (95% intervals to within one bin).
    pilot
        Draws evaluated first to set the histogram edges.
    robust_quantile
        ``None``: the robust front uses expected values; ``q``: each objective at its
        pessimistic ``q`` quantile (``q`` of maximized objectives, ``1 - q`` of minimized).
    feasible_prob
        Minimum probability of meeting every guardrail for a candidate to enter the
        robust front and the picks.
    evpi_wtp
        Willingness to pay of the headline EVPI (default: the problem's own).
    """

    draws: int
    seed: int = 1
    sampling: Literal["mc", "lhs"] = "lhs"
    chunk_size: int = 500
    wtp: tuple[float, ...] = DEFAULT_WTP
    bins: int = 48
    pilot: int = 32
    robust_quantile: float | None = None
    feasible_prob: float = 0.5
    evpi_wtp: float | None = None

    def check(self) -> None:
        """One-line errors for bad settings."""
        if self.draws < 1:
            raise ParameterError("--draws", "a whole number >= 1", self.draws,
                                 fix="e.g. --draws 1000.")
        if self.chunk_size < 1:
            raise ParameterError("--chunk-size", "a whole number >= 1", self.chunk_size,
                                 fix="e.g. --chunk-size 500.")
        if self.sampling not in ("mc", "lhs"):
            raise ParameterError("--sampling", "'mc' or 'lhs'", self.sampling,
                                 fix="use --sampling lhs or --sampling mc.")
        if not self.wtp or any(w < 0 for w in self.wtp):
            raise ParameterError("--wtp", "willingness-to-pay values >= 0 (USD per QALY)",
                                 list(self.wtp), fix="e.g. --wtp 0:200000:10000.")
        if self.robust_quantile is not None and not 0 < self.robust_quantile < 1:
            raise ParameterError("--robust-quantile", "a number in (0, 1)",
                                 self.robust_quantile, fix="e.g. --robust-quantile 0.1.")
        if not 0 <= self.feasible_prob <= 1:
            raise ParameterError("--feasible-prob", "a probability in [0, 1]",
                                 self.feasible_prob, fix="e.g. --feasible-prob 0.5.")


@dataclass(frozen=True)
class Prepared:
    """A PSA ready to run: its setup, the draws (input values) and its identity."""

    problem: PricingProblem
    config: PsaConfig
    setup: PsaSetup
    values: np.ndarray
    band_names: tuple[str, ...]
    tracked_names: tuple[str, ...]
    fingerprint: str

    @property
    def n_chunks(self) -> int:
        """Number of chunks."""
        return -(-self.config.draws // self.config.chunk_size)

    def chunk_range(self, k: int) -> tuple[int, int]:
        """Draws ``[start, stop)`` of chunk ``k``."""
        start = k * self.config.chunk_size
        return start, min(start + self.config.chunk_size, self.config.draws)


def prepare(problem: PricingProblem, config: PsaConfig) -> Prepared:
    """Bind the uncertain inputs, draw the design, set the decision set, bands and edges."""
    config.check()
    bound = bind(problem)
    X = ladder_matrix(problem)
    wtp = np.array(sorted(set(config.wtp) | set(SUMMARY_WTP)
                          | {float(getattr(getattr(problem.spec, "value", None),
                                           "wtp_per_qaly", 50_000.0))}), dtype=float)
    objectives = tuple(q.name for q in problem.all_objectives)
    base = evaluate_draw(problem, X, objectives)
    decision_set = base.feasible if base.feasible.any() else np.ones(X.shape[0], dtype=bool)
    bands: dict[str, np.ndarray] = {}
    tracked: list[int] = []
    F: np.ndarray | None = None  # base-case objectives, minimized (for the representative)
    for ob in problem.spec.observed:
        if ob.variable not in problem.decision_names:
            continue
        mask = _band_mask(problem, X, ob.variable, ob.low, ob.high)
        bands[ob.name] = mask
        if F is None:
            F = problem.minimization_matrix(problem.evaluate(X, report=False))
        changes = (base.d_cost != 0) | (base.d_qaly != 0)
        tracked.append(_representative(problem, X, mask, base.pareto, base.feasible, changes,
                                       ob.variable, (ob.low + ob.high) / 2, F))
    values = bound.model.sample(config.draws, config.seed, config.sampling)
    lo, hi = pilot_edges(bound, X, objectives, values[: min(config.pilot, config.draws)])
    ev0 = problem.evaluate(X[:1], report=True)
    setup = PsaSetup(bound=bound, X=X, objectives=objectives, wtp=wtp,
                     decision_set=decision_set, bands=bands,
                     tracked=np.asarray(tracked, dtype=np.int64), lo=lo, hi=hi,
                     bins=config.bins, has_ce=has_incremental(problem, ev0),
                     pathway=has_pathway(ev0))
    ident = {
        "version": CHUNK_STORE_VERSION, "problem": problem.name,
        "input_hash": problem.spec.input_hash(), "draws": config.draws, "seed": config.seed,
        "sampling": config.sampling, "chunk_size": config.chunk_size, "wtp": wtp.tolist(),
        "bins": config.bins, "pilot": config.pilot,
        "values_sha256": hashlib.sha256(values.tobytes()).hexdigest(),
    }
    fp = hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:16]
    return Prepared(problem, config, setup, values, tuple(bands), tuple(bands), fp)


def _representative(problem: PricingProblem, X: np.ndarray, band: np.ndarray,
                    pareto: np.ndarray, feasible: np.ndarray, changes: np.ndarray,
                    variable: str, mid: float, F: np.ndarray) -> int:
    """One candidate standing for an observed band.

    The pool is the band's base-case Pareto-optimal candidates that ``change`` something
    from the status quo, else its feasible ones that do (a price nobody adopts is not what
    an observed price stands for, although the status quo itself is on the front); when
    every candidate of the band that changes something breaks a guardrail, its
    Pareto-optimal candidates, else its feasible ones, else all of it. Of the pool, the
    candidates whose observed variable is nearest the band's middle; when none of them is
    Pareto-optimal, the least dominated (:func:`dominance_gap` on ``F``, objectives
    minimized); then the one with the median value of the other decisions (row order of
    the ladder).
    """
    for pool_mask in (band & changes & pareto, band & changes & feasible, band & pareto,
                      band & feasible, band):
        if pool_mask.any():
            break
    pool = np.flatnonzero(pool_mask)
    col = problem.decision_names.index(variable)
    d = np.abs(X[pool, col] - mid)
    pool = pool[d <= d.min() + 1e-9]
    pool = pool[X[pool, col] == X[pool, col].min()]  # a tie between two rungs: the lower
    if not pareto[pool].any() and pareto.any():
        gap = dominance_gap(F, pool, np.flatnonzero(pareto), np.flatnonzero(feasible))
        pool = pool[gap <= gap.min() + 1e-12]
    return int(pool[(len(pool) - 1) // 2])


def dominance_gap(F: np.ndarray, rows: np.ndarray, front: np.ndarray,
                  scale_rows: np.ndarray) -> np.ndarray:
    """How far each of ``rows`` lies behind the front (share of each objective's range).

    ``F`` is ``(N, k)``, every column minimized; objectives are divided by their range
    over ``scale_rows`` (e.g. the feasible candidates). The gap of a candidate ``c`` is
    ``max over front points y of min_k (c_k - y_k)``: the smallest uniform improvement
    in every objective that leaves ``c`` not strictly dominated by any front point
    (0 on the front, larger the further behind). Vectorized over rows and front points.

    >>> F = np.array([[0.0, 1.0], [1.0, 0.0], [0.5, 0.75], [1.0, 1.0]])
    >>> dominance_gap(F, np.array([2, 3]), np.array([0, 1]), np.arange(4)).tolist()
    [-0.25, 0.0]
    """
    ref = F[scale_rows] if scale_rows.size else F
    span = ref.max(axis=0) - ref.min(axis=0)
    span = np.where(span > 0, span, 1.0)
    C = F[rows] / span
    Y = F[front] / span
    return (C[:, None, :] - Y[None, :, :]).min(axis=2).max(axis=1)


def _problem_wtp(problem: PricingProblem, config: PsaConfig) -> float:
    if config.evpi_wtp is not None:
        return float(config.evpi_wtp)
    value = getattr(problem.spec, "value", None)
    return float(getattr(value, "wtp_per_qaly", 50_000.0))


# ---------------------------------------------------------------------------
# Chunk store
# ---------------------------------------------------------------------------


def chunk_store_path(out: Path) -> Path:
    """The chunk store of output folder ``out``: ``.<name>.psa-chunks`` beside it."""
    return out.parent / f".{out.name}.psa-chunks"


def _chunk_file(store: Path, k: int) -> Path:
    return store / f"chunk-{k:06d}.npz"


def save_chunk(store: Path, k: int, result: Mapping[str, np.ndarray]) -> Path:
    """Write chunk ``k`` atomically (a temporary file renamed onto its name)."""
    target = _chunk_file(store, k)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=store)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **result)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def load_chunk(store: Path, k: int) -> dict[str, np.ndarray]:
    """Read chunk ``k`` back."""
    with np.load(_chunk_file(store, k)) as z:
        return {name: z[name] for name in z.files}


def open_store(prep: Prepared, out: Path, resume: bool) -> tuple[Path, set[int]]:
    """Create (or, with ``resume``, reopen) the chunk store; the chunks already done."""
    store = chunk_store_path(out)
    manifest = store / "manifest.json"
    if out.exists():
        raise ParetoPriceError(
            f"--out: the folder '{out}' already exists. Fix: choose another --out or remove "
            "it (a finished PSA is never overwritten).")
    if store.exists() and manifest.exists():
        old = json.loads(manifest.read_text())
        if not resume:
            raise ParetoPriceError(
                f"--out: an unfinished run's chunks are in '{store}'. Fix: add --resume to "
                "continue it, or delete that folder to start again.")
        if old.get("fingerprint") != prep.fingerprint:
            raise ParetoPriceError(
                f"--resume: the chunks in '{store}' belong to another run (problem, seed, "
                "draws, sampling or chunk size differ). Fix: repeat the original command "
                "with --resume, or delete that folder.")
        done = {k for k in range(prep.n_chunks) if _chunk_file(store, k).exists()}
        return store, done
    store.mkdir(parents=True, exist_ok=True)
    body = {"fingerprint": prep.fingerprint, "problem": prep.problem.name,
            "draws": prep.config.draws, "seed": prep.config.seed,
            "sampling": prep.config.sampling, "chunk_size": prep.config.chunk_size,
            "n_chunks": prep.n_chunks}
    tmp = store / ".manifest.json.tmp"
    tmp.write_text(json.dumps(body, indent=2))
    os.replace(tmp, manifest)
    return store, set()


# ---------------------------------------------------------------------------
# Execution
# ---------------------------------------------------------------------------


LOCAL_DASK_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "5s",
    "distributed.worker.memory.monitor-interval": "1s",
}
"""Dask settings of the local cluster: housekeeping that competes with the chunks for the
cores. Dask's statistical profiler samples the running task's stack every 10 ms, and every
scheduler, nanny and worker event loop ticks every 20 ms and samples the system every
0.5 s: together about 7% of one core while idle, taken from the workers when every core
runs one (measured on idx-dr: 3.9% in the client and scheduler process, 2.8% in each
worker). With these settings it is under 2%. Give the workers of your own cluster the
same settings (environment variables in docs/uncertainty.md)."""


@contextlib.contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A Dask client: on ``scheduler`` (an address) or on a new local cluster of worker
    processes (one thread each, one BLAS/OpenMP thread each, :data:`LOCAL_DASK_CONFIG`;
    ``workers`` defaults to the machine's cores)."""
    import dask
    from dask.distributed import Client, LocalCluster

    quiet = logging.getLogger("distributed")
    level = quiet.level
    if not logger.isEnabledFor(logging.INFO):
        quiet.setLevel(logging.WARNING)
    try:
        if scheduler:
            with Client(scheduler, timeout="30s") as client:
                yield client
            return
        n = workers or os.cpu_count() or 1
        environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
        environ.setdefault("MALLOC_MMAP_THRESHOLD_", MMAP_THRESHOLD)
        for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
            environ.setdefault(var, 1)  # one core per worker process: no nested threads
        with (dask.config.set({"distributed.nanny.pre-spawn-environ": environ,
                               **LOCAL_DASK_CONFIG}),
              LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                           dashboard_address=":0", silence_logs=logging.WARNING) as cluster,
              Client(cluster) as client):
            yield client
    finally:
        quiet.setLevel(level)


def _process_cpu() -> dict[str, Any]:
    """CPU seconds (user + system, every thread) of this process, its pid and host."""
    import socket

    t = os.times()
    return {"cpu": t.user + t.system, "pid": os.getpid(), "host": socket.gethostname()}


def run_chunks(prep: Prepared, store: Path, done: set[int], scheduler: str | None,
               workers: int | None, progress: bool,
               on_chunk: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Compute every chunk not in ``done`` and save it; returns run facts for psa.json.

    ``scheduler``: ``"inline"`` runs in this process; ``None`` starts a local Dask
    cluster; anything else is a Dask scheduler address (``tcp://host:8786``).

    On Dask, a worker that sees the chunk store (the same machine, or a shared file
    system: it finds this run's manifest there) writes its chunk itself and returns only
    timings; otherwise the chunk travels back and this process writes it. The facts
    include the CPU seconds of every process during the chunks (this process, which
    holds the scheduler of a local cluster; a remote scheduler; each worker process and
    the chunks' own share of it), from which ``overhead_share`` is the part of all CPU
    not spent computing chunks.
    """
    from tqdm import tqdm

    todo = [k for k in range(prep.n_chunks) if k not in done]
    already = sum(prep.chunk_range(k)[1] - prep.chunk_range(k)[0] for k in done)
    bar = tqdm(total=prep.config.draws, initial=already, unit="draw", disable=not progress,
               desc=f"psa {prep.problem.name}")
    t0 = time.perf_counter()
    facts: dict[str, Any] = {"chunks_resumed": len(done), "chunks_computed": len(todo)}

    def finished(k: int) -> None:
        a, b = prep.chunk_range(k)
        bar.update(b - a)
        if on_chunk is not None:
            on_chunk(k)

    try:
        if scheduler == "inline":
            facts["scheduler"] = "inline (this process)"
            facts["workers"] = 1
            c0 = _process_cpu()["cpu"]
            for k in todo:
                a, b = prep.chunk_range(k)
                save_chunk(store, k, run_chunk(prep.setup, prep.values[a:b], a))
                finished(k)
            facts["seconds"] = round(time.perf_counter() - t0, 3)
            facts["client_cpu_seconds"] = round(_process_cpu()["cpu"] - c0, 3)
        elif todo:
            with dask_client(scheduler, workers) as client:
                facts["cluster_start_seconds"] = round(time.perf_counter() - t0, 3)
                facts.update(_run_on_dask(client, prep, store, todo, finished))
                facts["scheduler"] = scheduler or "local Dask cluster"
                peaks = client.run(_peak_rss_mb)
                facts["worker_peak_rss_mb"] = sorted(round(v, 1) for v in peaks.values())
                t_stop = time.perf_counter()
            facts["cluster_stop_seconds"] = round(time.perf_counter() - t_stop, 3)
        else:
            facts["seconds"] = 0.0
    finally:
        bar.close()
    facts["client_peak_rss_mb"] = round(_peak_rss_mb(), 1)
    return facts


def _run_on_dask(client: Any, prep: Prepared, store: Path, todo: list[int],
                 finished: Callable[[int], None]) -> dict[str, Any]:
    """Submit the chunks ``todo``, store each as it finishes; timings and CPU facts.

    ``seconds`` runs from the broadcast of the setup to the last chunk stored (the
    cluster's start and stop are timed apart)."""
    from dask.distributed import as_completed

    facts: dict[str, Any] = {}
    t0 = time.perf_counter()
    me = _process_cpu()
    sched0 = _scheduler_cpu(client)
    separate = sched0 is not None and (sched0["pid"], sched0["host"]) != (me["pid"],
                                                                          me["host"])
    work0 = client.run(_process_cpu)
    facts["workers"] = len(work0)
    setup_f = client.scatter(prep.setup, broadcast=True)
    where = str(store.resolve())
    futures = {}
    for k in todo:
        a, b = prep.chunk_range(k)
        fut = client.submit(_chunk_task, setup_f, prep.values[a:b], a, k, where,
                            prep.fingerprint, key=f"psa-{prep.fingerprint}-{k}", pure=False)
        futures[fut] = k
    busy = cpu = 0.0
    by_worker: dict[str, int] = {}
    last_at: dict[str, float] = {}
    for fut in as_completed(futures):
        k = futures[fut]
        out = fut.result()
        fut.release()
        if out["result"] is not None:
            save_chunk(store, k, out["result"])
        elif not _chunk_file(store, k).exists():  # the worker saw another copy of the store
            a, b = prep.chunk_range(k)
            out = client.submit(_chunk_task, setup_f, prep.values[a:b], a, k, None,
                                prep.fingerprint, pure=False).result()
            save_chunk(store, k, out["result"])
        busy += out["seconds"]
        cpu += out["cpu_seconds"]
        w = out["worker"]
        by_worker[w] = by_worker.get(w, 0) + 1
        last_at[w] = time.perf_counter()
        finished(k)
    t_end = time.perf_counter()
    work1 = client.run(_process_cpu)
    sched1 = _scheduler_cpu(client) if separate else None
    client_cpu = _process_cpu()["cpu"] - me["cpu"]
    sched_cpu = (sched1["cpu"] - sched0["cpu"]
                 if separate and sched0 is not None and sched1 is not None else 0.0)
    proc = {a: work1[a]["cpu"] - work0[a]["cpu"] for a in work1 if a in work0}
    total = client_cpu + sched_cpu + sum(proc.values())
    facts.update({
        "seconds": round(t_end - t0, 3),
        "worker_busy_seconds": round(busy, 3),
        "worker_cpu_seconds": round(cpu, 3),
        "worker_process_cpu_seconds": sorted(round(v, 3) for v in proc.values()),
        "client_cpu_seconds": round(client_cpu, 3),
        "scheduler_cpu_seconds": (round(sched_cpu, 3) if separate
                                  else "unknown (paretoprice is not installed beside "
                                  "the scheduler)" if sched0 is None
                                  else "in the client process"),
        "overhead_share": round(min(max(1 - cpu / total, 0.0), 1.0), 4) if total > 0
        else None,
        "chunks_per_worker": sorted(by_worker.values()),
        "tail_seconds": round(max(last_at.values()) - min(last_at.values()), 3)
        if len(last_at) > 1 else 0.0,
    })
    return facts


def _scheduler_cpu(client: Any) -> dict[str, Any] | None:
    """:func:`_process_cpu` of the scheduler, or ``None`` when it cannot run it (a remote
    scheduler without paretoprice installed: only the workers need it)."""
    try:
        return dict(client.run_on_scheduler(_process_cpu))
    except Exception as exc:  # a timing fact must not stop the run
        logger.info("scheduler CPU time not measured: %s", exc)
        return None


def _chunk_task(setup: PsaSetup, values: np.ndarray, first: int, k: int, store: str | None,
                fingerprint: str) -> dict[str, Any]:
    """Run one chunk on a worker. When the worker sees the run's chunk store (its manifest
    carries ``fingerprint``) it saves the chunk there and returns only its facts;
    otherwise ``result`` holds the chunk. Timings: the chunk's wall and CPU seconds."""
    from dask.distributed import get_worker

    t, c = time.perf_counter(), time.process_time()
    chunk = run_chunk(setup, values, first)
    result: dict[str, np.ndarray] | None = chunk
    if store is not None and _owns_store(Path(store), fingerprint):
        save_chunk(Path(store), k, chunk)
        result = None
    return {"result": result, "seconds": time.perf_counter() - t,
            "cpu_seconds": time.process_time() - c, "worker": get_worker().address}


def _owns_store(store: Path, fingerprint: str) -> bool:
    """Whether ``store`` is this run's chunk store as seen from this process."""
    try:
        return json.loads((store / "manifest.json").read_text()).get(
            "fingerprint") == fingerprint
    except (OSError, ValueError):
        return False


def _peak_rss_mb() -> float:
    """Peak resident memory of this process, MB (Linux reports ru_maxrss in KB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------
# Summaries
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PsaResult:
    """The answers of a PSA (per-candidate tables and the summaries)."""

    candidates: pd.DataFrame
    observed: pd.DataFrame
    picks: pd.DataFrame
    acceptability: pd.DataFrame
    robust_front: pd.DataFrame
    evpi: float
    evpi_wtp: float
    plane: np.ndarray
    tracked: pd.DataFrame


def _wtp_label(w: float) -> str:
    return f"{w / 1000:g}k"


def summarize(prep: Prepared, totals: Mapping[str, np.ndarray]) -> PsaResult:
    """Turn the summed chunk accumulators into the tables of the output set."""
    s = prep.setup
    prob = prep.problem
    n = float(totals["draws"][0])
    n_obj, n_cand = len(s.objectives), s.X.shape[0]
    cand = pd.DataFrame(s.X, columns=list(prob.decision_names))
    cand["p_pareto_optimal"] = totals["pareto"] / n
    cand["p_feasible"] = totals["feasible"] / n
    hist = totals["hist"].reshape(n_obj, n_cand, s.bins)
    mean = totals["sum_obj"] / n
    q025 = histogram_quantiles(hist, s.lo, s.hi, totals["min_obj"], totals["max_obj"], 0.025)
    q975 = histogram_quantiles(hist, s.lo, s.hi, totals["min_obj"], totals["max_obj"], 0.975)
    for j, o in enumerate(s.objectives):
        cand[f"mean_{o}"] = mean[j]
        cand[f"q025_{o}"] = q025[j]
        cand[f"q975_{o}"] = q975[j]
    ce = totals["ce"] / n
    best = totals["best"] / n
    for i, w in enumerate(s.wtp):
        cand[f"p_ce_{_wtp_label(w)}"] = ce[i]
    mean_dc, mean_dq = totals["sum_dc"] / n, totals["sum_dq"] / n
    lam = _problem_wtp(prob, prep.config)
    cand["mean_incremental_cost"] = mean_dc
    cand["mean_incremental_qalys"] = mean_dq
    cand["expected_nmb"] = lam * mean_dq - mean_dc
    # acceptability frontier and EVPI over the decision set
    dset = np.flatnonzero(s.decision_set)
    rows = []
    for i, w in enumerate(s.wtp):
        enmb = w * mean_dq[dset] - mean_dc[dset]
        k = int(dset[np.argmax(enmb)])
        e_max = float(totals["sum_max_nmb"][i] / n)
        row = {"wtp": w}
        row.update({d: float(s.X[k, j]) for j, d in enumerate(prob.decision_names)})
        row.update({"expected_nmb": float(enmb.max()), "p_optimal": float(best[i, k]),
                    "p_cost_effective": float(ce[i, k]),
                    "evpi": max(e_max - float(enmb.max()), 0.0)})
        rows.append(row)
    accept = pd.DataFrame(rows)
    evpi_row = int(np.argmin(np.abs(s.wtp - lam)))
    # robust front
    senses = objective_senses(prob.objective_names)
    idx = [s.objectives.index(o) for o in prob.objective_names]
    q = prep.config.robust_quantile
    if q is None:
        V = mean[idx]
    else:
        lo_q = histogram_quantiles(hist, s.lo, s.hi, totals["min_obj"], totals["max_obj"], q)
        hi_q = histogram_quantiles(hist, s.lo, s.hi, totals["min_obj"], totals["max_obj"],
                                   1 - q)
        V = np.vstack([lo_q[j] if sn == "max" else hi_q[j] for j, sn in zip(idx, senses,
                                                                            strict=True)])
    ok = np.flatnonzero(cand["p_feasible"].to_numpy() >= prep.config.feasible_prob)
    robust = np.zeros(n_cand, dtype=bool)
    if ok.size:
        import moocore

        F = np.column_stack([V[r, ok] if sn == "min" else -V[r, ok]
                             for r, sn in enumerate(senses)])
        robust[ok[moocore.is_nondominated(F, keep_weakly=True)]] = True
    cand["robust_front"] = robust
    robust_df = cand[robust].reset_index(drop=True)
    # observed bands
    obs_rows = []
    for b, name in enumerate(prep.band_names):
        ob = next(o for o in prob.spec.observed if o.name == name)
        mask = s.bands[name]
        row: dict[str, Any] = {"observed": name, "variable": ob.variable, "low": ob.low,
                               "high": ob.high, "candidates": int(mask.sum()),
                               "p_pareto_optimal": totals["band_pareto"][b] / n,
                               "p_feasible": totals["band_feasible"][b] / n}
        for i, w in enumerate(s.wtp):
            row[f"p_ce_{_wtp_label(w)}"] = totals["band_ce"][b, i] / n
        k = int(s.tracked[b])
        row.update({f"at_{d}": float(s.X[k, j]) for j, d in enumerate(prob.decision_names)})
        row["p_pareto_optimal_at"] = float(cand["p_pareto_optimal"].iloc[k])
        row["p_feasible_at"] = float(cand["p_feasible"].iloc[k])
        row["status_quo_at"] = bool(s.has_ce and mean_dc[k] == 0.0 and mean_dq[k] == 0.0)
        for w in s.wtp:
            row[f"p_ce_{_wtp_label(w)}_at"] = float(cand[f"p_ce_{_wtp_label(w)}"].iloc[k])
        obs_rows.append(row)
    observed = pd.DataFrame(obs_rows)
    # picks
    picks = []
    pf = cand["p_feasible"].to_numpy()
    pool = np.flatnonzero(pf >= prep.config.feasible_prob)
    if not pool.size:
        pool = np.arange(n_cand)
    picks.append(("most often Pareto-optimal", int(np.argmax(cand["p_pareto_optimal"]))))
    en = cand["expected_nmb"].to_numpy()
    picks.append((f"best expected NMB at {lam:,.0f} USD/QALY (P(feasible) >= "
                  f"{prep.config.feasible_prob:g})", int(pool[np.argmax(en[pool])])))
    rpool = np.flatnonzero(robust) if robust.any() else pool
    for o, sn in zip(prob.objective_names, senses, strict=True):
        col = cand[f"mean_{o}"].to_numpy()[rpool]
        k = int(rpool[np.argmin(col) if sn == "min" else np.argmax(col)])
        picks.append((f"robust front: best expected {o}", k))
    pick_df = cand.iloc[[k for _, k in picks]].reset_index(drop=True)
    pick_df.insert(0, "pick", [name for name, _ in picks])
    tracked = cand.iloc[s.tracked].reset_index(drop=True) if s.tracked.size else cand.iloc[[]]
    tracked.insert(0, "observed", list(prep.band_names))
    return PsaResult(cand, observed, pick_df, accept, robust_df,
                     float(accept["evpi"].iloc[evpi_row]), float(s.wtp[evpi_row]),
                     totals.get("plane", np.zeros((0, 0, 2))), tracked)


# ---------------------------------------------------------------------------
# Output set
# ---------------------------------------------------------------------------


def table_format() -> str:
    """``parquet`` when pyarrow is installed, else ``csv``."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return "csv"
    return "parquet"


def _write_table(df: pd.DataFrame, path_no_ext: Path, fmt: str) -> Path:
    if fmt == "parquet":
        path = path_no_ext.with_suffix(".parquet")
        df.to_parquet(path, index=False, engine="pyarrow", compression="zstd")
    else:
        path = path_no_ext.with_suffix(".csv")
        df.to_csv(path, index=False, float_format="%.17g")
    return path


def provenance(prep: Prepared, result: PsaResult, facts: Mapping[str, Any],
               fmt: str) -> dict[str, Any]:
    """The content of psa.json (``run`` holds the only fields that vary between runs)."""
    prob = prep.problem
    model = prep.setup.bound.model
    units = prob.quantity_units()
    return {
        "problem": prob.name,
        "family": prob.family,
        "input_hash": prob.spec.input_hash(),
        "fingerprint": prep.fingerprint,
        "draws": prep.config.draws,
        "seed": prep.config.seed,
        "sampling": {"lhs": "Latin hypercube (scipy.stats.qmc.LatinHypercube)",
                     "mc": "plain Monte Carlo (numpy default_rng)"}[prep.config.sampling],
        "seed_derivation": "numpy.random.SeedSequence(seed) seeds one generator for the "
                           "whole design; draw i is row i whatever the workers",
        "chunk_size": prep.config.chunk_size,
        "chunks": prep.n_chunks,
        "candidates": int(prep.setup.X.shape[0]),
        "decisions": {d.name: d.unit for d in prob.decisions},
        "objectives": {o: units.get(o, "") for o in prep.setup.objectives},
        "chosen_objectives": list(prob.objective_names),
        "guardrails": [g.name for g in prob.guardrails],
        "uncertain_inputs": [
            {"paths": list(d.paths), "dist": d.dist, "given": d.given,
             "scipy_parameters": {k: list(v) if isinstance(v, tuple) else v
                                  for k, v in d.params.items()},
             "total": d.total, "mean": d.mean().tolist(), "source": d.source}
            for d in model.distributions],
        "correlations": [c.model_dump() for c in model.correlations],
        "wtp_grid_usd_per_qaly": prep.setup.wtp.tolist(),
        "evpi": {"wtp_usd_per_qaly": result.evpi_wtp, "usd_per_year": result.evpi,
                 "decision_set": "candidates meeting every guardrail at the base-case "
                                 f"values ({int(prep.setup.decision_set.sum())} of "
                                 f"{prep.setup.X.shape[0]})"},
        "histogram_bins": prep.config.bins,
        "interval_note": "95% intervals are read from per-candidate histograms (edges from "
                         f"the first {min(prep.config.pilot, prep.config.draws)} draws "
                         "widened by half their range each side) and are accurate to one "
                         "bin width; means are exact",
        "robust_front": ("expected values" if prep.config.robust_quantile is None else
                         f"pessimistic {prep.config.robust_quantile:g} quantile"),
        "feasible_prob": prep.config.feasible_prob,
        "observed_bands": {name: {"definition": "columns without suffix: some candidate "
                                                "with the observed price in the band (any "
                                                "fee on the ladder); columns ending '_at': "
                                                "the fixed candidate at_<decision>"}
                           for name in prep.band_names},
        "tracked_for_ce_plane": result.tracked[["observed", *prob.decision_names]]
                                .to_dict(orient="records"),
        "cost_effectiveness_available": bool(prep.setup.has_ce),
        "cost_effective_definition": "NMB(lambda) = lambda * dQALY - dCost > 1 USD/year "
                                     "against today's status quo " + ce_basis(prep),
        "table_format": fmt,
        "columns": column_units(prep),
        "run": dict(facts),
    }


def ce_basis(prep: Prepared) -> str:
    """Where a run's ``(dCost, dQALY)`` come from, in words (for the outputs)."""
    if not prep.setup.has_ce:
        return "(not available: the problem has no [pathway] and no QALY inputs; NMB is 0)"
    if prep.setup.pathway:
        return ("(dCost and dQALY from the clinical pathway, model v2: incremental_cost and "
                "incremental_qalys, downstream follow-up and treatment included)")
    return "(dCost and dQALY from the problem's v1 ICER inputs: no clinical pathway)"


def column_units(prep: Prepared) -> dict[str, str]:
    """Unit and meaning of every column of the output tables (senses of objectives)."""
    prob = prep.problem
    units = prob.quantity_units()
    cols: dict[str, str] = {d.name: f"{d.unit}: decision {d.description}"
                            for d in prob.decisions}
    for o in prep.setup.objectives:
        sense = OBJECTIVE_SENSES.get(o, "max")
        u = units.get(o, "")
        cols[f"mean_{o}"] = f"{u}: expected {o} over the draws ({sense}imized)"
        cols[f"q025_{o}"] = f"{u}: 2.5th percentile of {o} over the draws"
        cols[f"q975_{o}"] = f"{u}: 97.5th percentile of {o} over the draws"
    cols.update({
        "p_pareto_optimal": "probability (share of draws) that the candidate is on the "
                            "feasible Pareto front",
        "p_feasible": "probability that every enabled guardrail holds",
        "p_ce_<W>k": "probability that NMB at W thousand USD/QALY is > 0 vs today",
        "mean_incremental_cost": "USD per year: expected dCost vs today " + (
            "(payer spend with the pathway's follow-up and treatment minus the status "
            "quo's)" if prep.setup.pathway else
            "(payer spend minus today's, minus downstream savings)"),
        "mean_incremental_qalys": "QALYs per year: expected QALYs gained vs today",
        "expected_nmb": "USD per year: expected net monetary benefit at the problem's (or "
                        "--evpi-wtp) willingness to pay",
        "robust_front": "true on the robust front",
        "wtp": "USD per QALY: willingness to pay",
        "p_optimal": "probability that the frontier candidate has the largest NMB in a draw",
        "p_cost_effective": "probability that the frontier candidate's NMB is > 0",
        "evpi": "USD per year: expected value of perfect information at that wtp",
        "draw": "draw index (row of the seeded design)",
    })
    return cols


def write_outputs(prep: Prepared, result: PsaResult, out: Path, facts: Mapping[str, Any],
                  plots: bool = True) -> list[Path]:
    """Write the output set into a temporary folder beside ``out``, then rename it."""
    from paretoprice.app import psa_plots

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    fmt = table_format()
    try:
        written = [
            _write_table(result.candidates, tmp / "candidates", fmt),
            _write_table(result.observed, tmp / "observed", fmt),
            _write_table(result.picks, tmp / "picks", fmt),
            _write_table(result.acceptability, tmp / "acceptability", fmt),
            _write_table(result.robust_front, tmp / "robust_front", fmt),
            _write_table(pd.DataFrame(prep.values, columns=list(prep.setup.bound.columns))
                         .rename_axis("draw").reset_index(), tmp / "draws", fmt),
        ]
        meta = provenance(prep, result, facts, fmt)
        (tmp / "psa.json").write_text(json.dumps(meta, indent=2, default=float) + "\n")
        written.append(tmp / "psa.json")
        if plots:
            written += psa_plots.write_all(prep, result, tmp)
        os.chmod(tmp, 0o755)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / p.name for p in written]


def run_psa(problem: PricingProblem, config: PsaConfig, out: Path | None,
            scheduler: str | None = None, workers: int | None = None, resume: bool = False,
            progress: bool = False, plots: bool = True) -> tuple[Prepared, PsaResult,
                                                                 dict[str, Any]]:
    """Prepare, run every chunk (resuming a stored run), summarize and write the outputs.

    Without ``out`` the chunks live in a temporary store that is removed at the end.
    """
    t0 = time.perf_counter()
    prep = prepare(problem, config)
    if out is None:
        tmp_root = Path(tempfile.mkdtemp(prefix="paretoprice-psa-"))
        target = tmp_root / "psa"
    else:
        tmp_root, target = None, Path(out)
    try:
        store, done = open_store(prep, target, resume)
        facts = run_chunks(prep, store, done, scheduler, workers, progress)
        totals = combine(load_chunk(store, k) for k in range(prep.n_chunks))
        result = summarize(prep, totals)
        facts["total_seconds"] = round(time.perf_counter() - t0, 3)
        if out is not None:
            write_outputs(prep, result, target, facts, plots=plots)
        shutil.rmtree(store, ignore_errors=True)
    finally:
        if tmp_root is not None:
            shutil.rmtree(tmp_root, ignore_errors=True)
    return prep, result, facts


def summary_lines(prep: Prepared, result: PsaResult) -> list[str]:
    """The printed summary: every observed price's probabilities, EVPI, robust front."""
    c = prep.config
    lines = [f"{prep.problem.name}: PSA of {c.draws:,} draws (seed {c.seed}, {c.sampling}) "
             f"over {prep.setup.X.shape[0]:,} candidates; "
             f"{len(prep.setup.bound.columns)} uncertain inputs"]
    cols = [f"p_ce_{_wtp_label(w)}" for w in SUMMARY_WTP]
    if len(result.observed):
        lines.append("Observed prices (probability over draws that some fee on the ladder "
                     "makes the price ...):")
        names_ = [f"{r['observed']} ({r['variable']} = "
                  + (f"{r['low']:g}" if r["low"] == r["high"] else f"{r['low']:g}-{r['high']:g}")
                  + ")" for _, r in result.observed.iterrows()]
        names = prep.problem.decision_names
        fixed = [f"{r['observed']} ("
                 + ", ".join(f"{d}={r['at_' + d]:g}" for d in names[:2])
                 + ("; no uptake" if r["status_quo_at"] else "") + ")"
                 for _, r in result.observed.iterrows()]
        width = max(len("observed price"), *map(len, names_), *map(len, fixed))
        head = (f"  {'observed price':<{width}} {'Pareto-opt.':>11} {'feasible':>9} "
                + " ".join(f"{'CE@' + _wtp_label(w):>8}" for w in SUMMARY_WTP))
        src = ("clinical pathway" if prep.setup.pathway else
               "v1 ICER inputs" if prep.setup.has_ce else "not available")
        lines.append(head + f"   (CE = cost-effective at USD/QALY; dCost, dQALY: {src})")
        for name, (_, r) in zip(names_, result.observed.iterrows(), strict=True):
            lines.append(f"  {name:<{width}} {r['p_pareto_optimal']:>11.3f} "
                         f"{r['p_feasible']:>9.3f} " + " ".join(f"{r[col]:>8.3f}" for col in cols))
        lines.append("... and at one fixed candidate per observed price (base-case Pareto-"
                     "optimal where the price changes something, else least dominated; "
                     "median fee; 'no uptake': nobody adopts at this price, as today):")
        for name, (_, r) in zip(fixed, result.observed.iterrows(), strict=True):
            lines.append(f"  {name:<{width}} {r['p_pareto_optimal_at']:>11.3f} "
                         f"{r['p_feasible_at']:>9.3f} "
                         + " ".join(f"{r[col + '_at']:>8.3f}" for col in cols))
    lines.append(f"EVPI at {result.evpi_wtp:,.0f} USD/QALY: {result.evpi:,.0f} USD per year "
                 "(population, expected value of removing all uncertainty)")
    how = ("expected values" if c.robust_quantile is None
           else f"pessimistic {c.robust_quantile:g} quantile")
    lines.append(f"Robust front ({how}, P(feasible) >= {c.feasible_prob:g}): "
                 f"{len(result.robust_front):,} candidates")
    return lines


__all__ = [
    "DEFAULT_WTP",
    "Prepared",
    "PsaConfig",
    "PsaResult",
    "ce_basis",
    "chunk_store_path",
    "prepare",
    "run_psa",
    "summarize",
    "summary_lines",
    "write_outputs",
]
