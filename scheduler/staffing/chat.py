"""Chat: agents handle several conversations at once, and go slower when they do.

Dividing AHT by the concurrency treats an agent as one fast server; in fact a
chat waits only when every *slot* is taken, and an agent juggling three chats
answers each more slowly than one chat alone. The model, stated:

- N agents, each with c slots (goal.concurrency). Chats arrive as a Poisson
  stream; a new chat goes to the agent with the fewest open chats; when all
  N·c slots are taken it waits in one first-come-first-served queue.
- An agent with k open chats works each at rate 1 / AHT(k), with
  AHT(k) = AHT₁·(1 + s·(k − 1)) and s = goal.concurrency_slowdown. The
  forecast's aht_s is AHT(c), the chat duration at full concurrency (what busy
  hours record), so AHT₁ = aht_s / (1 + s·(c − 1)). Durations are exponential.
- Routing keeps the agents balanced, so with i chats in service r agents hold
  ⌈i/N⌉ and N − r hold ⌊i/N⌋ (i = q·N + r). Completions can leave agents one
  chat further apart than that for a moment; new arrivals go to the least
  loaded agent and close the gap, and the model ignores it.
- Then the number of chats in the system is a birth–death process: births λ,
  deaths R(i) = r·g(q+1) + (N − r)·g(q) with g(k) = k / AHT(k) while slots are
  free, and R(N·c) = N·c / aht_s (+ j/patience for j waiting, with patience_s)
  once they are all taken. The waiting part is exactly Erlang C (or Erlang A)
  with service capacity R(N·c), so the same closed forms give P(wait), service
  level and ASA; only the "all slots busy" probability comes from this chain.

With s = 0 the model is M/M/(N·c) with the chat AHT, i.e. Erlang C on slots.
Occupancy for chat is the share of slots in use.
"""
from __future__ import annotations

import numpy as np
from scipy import special

from scheduler.staffing.erlang_a import queue_metrics, service_level_share
from scheduler.staffing.search import least_feasible, loaded_intervals, meets_targets

__all__ = ["slot_chain", "metrics", "agents_required"]

_CHUNK_CELLS = 2_000_000


def slot_chain(agents: np.ndarray, lam: np.ndarray, aht_s: np.ndarray, concurrency: int,
               slowdown: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(log P(all slots busy) without a queue, service rate with all busy, mean chats in service when not all busy)."""
    n, lam, h = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (agents, lam, aht_s)))
    c = int(concurrency)
    aht1 = h / (1.0 + slowdown * (c - 1))
    log_b = np.zeros(n.shape)
    mean_free = np.zeros(n.shape)
    rate_full = n * c / h
    order = np.argsort(n, kind="stable")
    start = 0
    while start < order.size:
        k_max = int(n[order[start:]].max()) * c
        rows = max(1, _CHUNK_CELLS // max(k_max, 1))
        idx = order[start:start + rows]
        start += rows
        lb, mf = _chain_rows(n[idx], lam[idx], aht1[idx], c, slowdown)
        log_b[idx], mean_free[idx] = lb, mf
    return log_b, rate_full, mean_free


def _chain_rows(n: np.ndarray, lam: np.ndarray, aht1: np.ndarray, c: int,
                slowdown: float) -> tuple[np.ndarray, np.ndarray]:
    slots = (n * c).astype(np.int64)
    k_max = int(slots.max())
    if k_max == 0:
        return np.zeros(n.shape), np.zeros(n.shape)
    i = np.arange(1, k_max + 1, dtype=float)[None, :]                     # chats in service
    nn = np.maximum(n, 1.0)[:, None]
    q = np.floor(i / nn)
    r = i - q * nn

    def g(k: np.ndarray) -> np.ndarray:                                     # one agent's completion rate
        return k / (aht1[:, None] * (1.0 + slowdown * np.maximum(k - 1.0, 0.0)))

    rate = r * g(q + 1.0) + (nn - r) * g(q)
    with np.errstate(divide="ignore"):
        steps = np.log(lam)[:, None] - np.log(rate)
    valid = i <= slots[:, None]
    log_pi = np.cumsum(np.where(valid, steps, 0.0), axis=1)
    log_pi = np.concatenate([np.zeros((n.size, 1)), log_pi], axis=1)      # state 0 .. k_max
    states = np.arange(0, k_max + 1)[None, :]
    inside = states <= slots[:, None]
    log_pi = np.where(inside, log_pi, -np.inf)
    log_total = special.logsumexp(log_pi, axis=1)
    top = log_pi[np.arange(n.size), slots]
    below = np.where(states < slots[:, None], log_pi, -np.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_below = special.logsumexp(below, axis=1)
        mean_free = np.where(np.isfinite(log_below),
                             np.sum(np.where(np.isfinite(below), states * np.exp(below - log_below[:, None]), 0.0),
                                    axis=1), 0.0)
    return top - log_total, mean_free


def metrics(agents: np.ndarray, load: np.ndarray, aht_s: np.ndarray, concurrency: int,
            slowdown: float = 0.0, target_s: float | None = None, patience_s: float | None = None,
            convention: str = "offered", short_abandon_s: float | None = None) -> dict[str, np.ndarray]:
    """Chat metrics per interval for whole numbers of agents; load = chats × aht_s ÷ interval."""
    n, a, h = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (agents, load, aht_s)))
    lam = a / h
    safe_n = np.maximum(n, 1.0)
    log_b, r_full, mean_free = slot_chain(safe_n, lam, h, concurrency, slowdown)
    slots = safe_n * concurrency
    none = n < 1
    loaded = a > 0
    if patience_s:
        th = 1.0 / float(patience_s)
        q = queue_metrics(log_b, lam, r_full, th, target_s,
                          short_abandon_s if convention == "offered_minus_short_abandons" else None)
        p_wait, p_ab, asa = q["prob_wait"], q["prob_abandon"], q["asa_s"]
        sl = service_level_share(q, convention) if target_s is not None else None
    else:
        b = np.exp(log_b)
        stable = lam < r_full
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            rho = lam / r_full
            p_wait = np.where(stable, np.clip(b / (1.0 - rho * (1.0 - b)), 0.0, 1.0), 1.0)
            asa = np.where(stable, p_wait / (r_full - lam), np.inf)
            sl = None if target_s is None else np.where(
                stable, np.clip(1.0 - p_wait * np.exp(-(r_full - lam) * float(target_s)), 0.0, 1.0), 0.0)
        p_ab = np.zeros(n.shape)
    in_service = (1.0 - p_wait) * mean_free + p_wait * slots
    out = {
        "agents": n, "offered_load": a,
        "prob_wait": np.where(loaded, np.where(none, 1.0, p_wait), 0.0),
        "prob_abandon": np.where(loaded, np.where(none, 1.0 if patience_s else 0.0, p_ab), 0.0),
        "asa_s": np.where(loaded, np.where(none, np.inf if not patience_s else float(patience_s), asa), 0.0),
        "occupancy": np.where(n > 0, np.minimum(in_service / slots, 1.0), 0.0),
    }
    if target_s is not None:
        out["service_level"] = np.where(loaded, np.where(none, 0.0, sl), np.where(n > 0, 1.0, 0.0))
    return out


def agents_required(load: np.ndarray, aht_s: np.ndarray, concurrency: int, slowdown: float = 0.0, *,
                    service_level: float | None = None, target_s: float | None = None,
                    asa_s: float | None = None, max_occupancy: float | None = None,
                    max_abandon: float | None = None, patience_s: float | None = None,
                    convention: str = "offered", short_abandon_s: float | None = None) -> np.ndarray:
    """Least N ≥ 1 agents meeting every target (0 where load is 0); vectorised bisection."""
    out, pos, aa, hh = loaded_intervals(load, aht_s)
    if aa.size == 0:
        return out
    use_sl = service_level is not None and target_s is not None

    def feasible(n: np.ndarray, idx: np.ndarray) -> np.ndarray:
        m = metrics(n, aa[idx], hh[idx], concurrency, slowdown, target_s if use_sl else None, patience_s,
                    convention, short_abandon_s)
        return meets_targets(m, service_level=service_level if use_sl else None, asa_s=asa_s,
                             max_occupancy=max_occupancy, max_abandon=max_abandon)

    per_agent = aa / concurrency
    lo = np.zeros(aa.shape) if patience_s else np.maximum(np.ceil(per_agent) - 1.0, 0.0)
    hi = np.maximum(lo + 1.0, np.ceil(per_agent + np.sqrt(per_agent) + 1.0))
    out[pos] = least_feasible(feasible, lo, hi)
    return out
