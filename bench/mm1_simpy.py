"""The SimPy side of the bench's M/M/1 rows (bench/baselines.mjs).

An M/M/1 queue written as a SimPy user would write it: a source process
starting one process per customer at exponential gaps, one Resource of
capacity 1 as the server, exponential service. Time is in nanoseconds, as
ioasim's. Arguments: arrival rate per second, mean service in ns, customers,
seed, and the least wall time in seconds to run for: the queue is run again
and again, each run from the same seed, until that much time has passed, so
that the bench compares a sample as long as ioasim's run beside it.

Prints one JSON line: runs made, customers served in one run, the wall
seconds of all the runs' env.run() together (not Python's start-up nor the
import), the mean sojourn in ns of one run, and the events SimPy scheduled
in one run (its own event id counter, Environment._eid; null when a SimPy
version has none).
"""

import json
import random
import sys
import time

import simpy


def queue_run(rate_per_second, service_mean_ns, customers, seed):
    """One run of the queue; returns (wall seconds, customers served, mean sojourn ns, events or None)."""
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    rng = random.Random(seed)
    arrival_mean_ns = 1e9 / rate_per_second
    served = [0, 0.0]

    def customer():
        arrived = env.now
        with server.request() as request:
            yield request
            yield env.timeout(rng.expovariate(1.0 / service_mean_ns))
        served[0] += 1
        served[1] += env.now - arrived

    def source():
        for _ in range(customers):
            env.process(customer())
            yield env.timeout(rng.expovariate(1.0 / arrival_mean_ns))

    env.process(source())
    started = time.perf_counter()
    env.run()
    seconds = time.perf_counter() - started
    event_ids = getattr(env, "_eid", None)
    events = next(event_ids) if event_ids is not None else None
    return seconds, served[0], served[1] / served[0], events


def main():
    rate_per_second = float(sys.argv[1])
    service_mean_ns = float(sys.argv[2])
    customers = int(sys.argv[3])
    seed = int(sys.argv[4])
    seconds_least = float(sys.argv[5])

    runs = 0
    total = 0.0
    while True:
        seconds, served, sojourn_mean_ns, events = queue_run(rate_per_second, service_mean_ns, customers, seed)
        runs += 1
        total += seconds
        if total >= seconds_least:
            break
    print(json.dumps({
        "runs": runs,
        "customers": served,
        "seconds": total,
        "sojournMeanNs": sojourn_mean_ns,
        "events": events,
    }))


if __name__ == "__main__":
    main()
