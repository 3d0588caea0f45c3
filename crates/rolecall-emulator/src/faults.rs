//! Azure's failure modes, switchable per run and deterministic under a seed:
//! latency, 5xx answers, dropped connections, ARM's token-bucket throttling,
//! principals that replicate late, custom roles that read back stale, tokens
//! that stop working early, and MFA or claims challenges.
//!
//! Random decisions hash (seed, host, n-th request of that host), so the same
//! sequence of requests meets the same faults on every run.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Which of the emulator's three hosts a request reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host {
    Authority,
    Arm,
    Graph,
}

/// What goes wrong, and how often.
#[derive(Debug, Clone)]
pub struct Faults {
    pub seed: u64,
    /// Added before every answer, on every host.
    pub latency: Duration,
    /// Share of ARM and Graph requests answered with a 500 or 503.
    pub server_error_rate: f64,
    /// Share of ARM and Graph connections closed without an answer.
    pub drop_rate: f64,
    /// New principals stay unknown to ARM (`PrincipalNotFound`) this long.
    pub principal_replication: Duration,
    /// After a custom role is written, reads may see the old version this long.
    pub role_propagation: Duration,
    /// PIM removes nothing made less than this long ago
    /// (`ActiveDurationTooShort`); None: Azure's 5 minutes. Shortened only
    /// where a journey cannot wait (the end-to-end suite).
    pub pim_removal_after: Option<Duration>,
    /// ARM and Graph treat access tokens older than this as expired.
    pub token_max_age: Option<Duration>,
    /// ARM's request limits (token buckets per subscription and kind).
    pub throttle: Throttle,
    /// Microsoft Graph's identity-and-access limits (per application and tenant).
    pub graph_throttle: GraphThrottle,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            seed: 0,
            latency: Duration::ZERO,
            server_error_rate: 0.0,
            drop_rate: 0.0,
            principal_replication: Duration::ZERO,
            role_propagation: Duration::ZERO,
            pim_removal_after: None,
            token_max_age: None,
            throttle: Throttle::default(),
            graph_throttle: GraphThrottle::default(),
        }
    }
}

/// ARM's token buckets: capacity and refill per second, per subscription (or
/// tenant) and kind, as ARM's current throttling works.
#[derive(Debug, Clone)]
pub struct Throttle {
    pub reads: (f64, f64),
    pub writes: (f64, f64),
    pub deletes: (f64, f64),
}

impl Default for Throttle {
    fn default() -> Self {
        // Azure Resource Manager's documented per-subscription buckets.
        Self {
            reads: (250.0, 25.0),
            writes: (200.0, 10.0),
            deletes: (200.0, 10.0),
        }
    }
}

/// Microsoft Graph's identity-and-access limits per application and tenant,
/// as token buckets: resource units (3,500 per 10 s for a tenant under 50
/// users, 5,000 up to 500, 8,000 above) and writes (3,000 per 2 min 30 s).
#[derive(Debug, Clone)]
pub struct GraphThrottle {
    /// Resource units: capacity and refill per second.
    pub units: (f64, f64),
    /// Writes: capacity and refill per second.
    pub writes: (f64, f64),
}

impl Default for GraphThrottle {
    fn default() -> Self {
        // The demo tenant has fewer than 50 users.
        Self {
            units: (3_500.0, 350.0),
            writes: (3_000.0, 20.0),
        }
    }
}

/// Which of Graph's limits a request ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphLimit {
    ResourceUnits,
    Writes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Reads,
    Writes,
    Deletes,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Reads => "reads",
            Kind::Writes => "writes",
            Kind::Deletes => "deletes",
        }
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// The bucket under `key` in `buckets`, made full on first use and
    /// refilled for the time since it was last asked: ARM's and Graph's
    /// limits are the same mechanism.
    fn refilled<K: std::hash::Hash + Eq>(
        buckets: &mut HashMap<K, Bucket>,
        key: K,
        (capacity, refill): (f64, f64),
        now: Instant,
    ) -> &mut Bucket {
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * refill).min(capacity);
        bucket.at = now;
        bucket
    }

    /// Whole seconds (at least one) until `need` tokens are there.
    fn wait_for(&self, need: f64, refill: f64) -> u64 {
        ((need - self.tokens) / refill).ceil().max(1.0) as u64
    }
}

/// What the emulator did to ARM and Graph requests, for tests and benchmarks
/// that check a client coped (retried, waited, kept its concurrency bound).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Observed {
    pub requests: u64,
    pub dropped: u64,
    pub server_errors: u64,
    /// 429 answers from ARM's token buckets and Graph's limits.
    pub throttled: u64,
    /// Requests being served right now, and the most at once so far.
    pub in_flight: u64,
    pub max_in_flight: u64,
}

/// The moving parts: counters, buckets, clocks.
#[derive(Debug, Default)]
pub struct FaultState {
    pub observed: Observed,
    counters: HashMap<Host, u64>,
    role_reads: u64,
    buckets: HashMap<(String, Kind), Bucket>,
    graph_buckets: HashMap<(String, bool), Bucket>,
}

/// A deterministic number in [0, 1) for (seed, label, n).
pub fn roll(seed: u64, label: &str, n: u64) -> f64 {
    let digest = Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update(label.as_bytes())
        .chain_update(n.to_le_bytes())
        .finalize();
    let value = u64::from_le_bytes(digest[..8].try_into().expect("eight bytes"));
    (value >> 11) as f64 / (1u64 << 53) as f64
}

/// What to do with one request before it reaches the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Serve,
    Drop,
    /// Answer with this status (500 or 503).
    Fail(u16),
}

impl FaultState {
    /// Decides the fate of the next request to `host`.
    pub fn verdict(&mut self, faults: &Faults, host: Host) -> Verdict {
        let n = self.counters.entry(host).or_default();
        *n += 1;
        if host == Host::Authority {
            return Verdict::Serve;
        }
        self.observed.requests += 1;
        let label = format!("{host:?}");
        if roll(faults.seed, &format!("{label}:drop"), *n) < faults.drop_rate {
            self.observed.dropped += 1;
            return Verdict::Drop;
        }
        let r = roll(faults.seed, &format!("{label}:5xx"), *n);
        if r < faults.server_error_rate {
            self.observed.server_errors += 1;
            return Verdict::Fail(if r < faults.server_error_rate / 2.0 {
                500
            } else {
                503
            });
        }
        Verdict::Serve
    }

    /// Numbers the reads of role definitions, for propagation decisions.
    pub fn next_role_read(&mut self) -> u64 {
        self.role_reads += 1;
        self.role_reads
    }

    /// Takes a token from the bucket of `key` (a subscription, or the tenant).
    /// Returns the tokens left, or the seconds to wait.
    pub fn take(&mut self, throttle: &Throttle, key: &str, kind: Kind) -> Result<u64, u64> {
        let (capacity, refill) = match kind {
            Kind::Reads => throttle.reads,
            Kind::Writes => throttle.writes,
            Kind::Deletes => throttle.deletes,
        };
        let bucket = Bucket::refilled(
            &mut self.buckets,
            (key.to_ascii_lowercase(), kind),
            (capacity, refill),
            Instant::now(),
        );
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(bucket.tokens.floor() as u64)
        } else {
            let wait = bucket.wait_for(1.0, refill);
            self.observed.throttled += 1;
            Err(wait)
        }
    }
}

impl FaultState {
    /// Charges one Graph request (`units` resource units, and one write when
    /// `write`) to the application's buckets in its tenant (`key`). Ok: the
    /// share of the unit limit now used; Err: the limit hit and the seconds
    /// to wait. A refused request costs nothing.
    pub fn take_graph(
        &mut self,
        throttle: &GraphThrottle,
        key: &str,
        units: f64,
        write: bool,
    ) -> Result<f64, (GraphLimit, u64)> {
        let now = Instant::now();
        let key = key.to_ascii_lowercase();
        let unit_bucket = (key.clone(), false);
        let units_left = Bucket::refilled(
            &mut self.graph_buckets,
            unit_bucket.clone(),
            throttle.units,
            now,
        );
        if units_left.tokens < units {
            let wait = units_left.wait_for(units, throttle.units.1);
            self.observed.throttled += 1;
            return Err((GraphLimit::ResourceUnits, wait));
        }
        if write {
            let writes_left =
                Bucket::refilled(&mut self.graph_buckets, (key, true), throttle.writes, now);
            if writes_left.tokens < 1.0 {
                let wait = writes_left.wait_for(1.0, throttle.writes.1);
                self.observed.throttled += 1;
                return Err((GraphLimit::Writes, wait));
            }
            writes_left.tokens -= 1.0;
        }
        // Charged only once every limit has let it through.
        let units_left =
            Bucket::refilled(&mut self.graph_buckets, unit_bucket, throttle.units, now);
        units_left.tokens -= units;
        Ok(1.0 - units_left.tokens / throttle.units.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_charges_units_and_writes_and_refuses_for_free() {
        let throttle = GraphThrottle {
            units: (5.0, 0.001),
            writes: (1.0, 0.001),
        };
        let mut state = FaultState::default();
        assert!(state.take_graph(&throttle, "t/app", 3.0, false).is_ok());
        // 2 units left: a 3-unit request waits, and costs nothing.
        let (limit, wait) = state
            .take_graph(&throttle, "t/app", 3.0, false)
            .unwrap_err();
        assert_eq!(limit, GraphLimit::ResourceUnits);
        assert!(wait >= 1);
        assert!(state.take_graph(&throttle, "t/app", 1.0, true).is_ok());
        let (limit, _) = state.take_graph(&throttle, "t/app", 1.0, true).unwrap_err();
        assert_eq!(limit, GraphLimit::Writes);
        // Another application in the tenant has its own buckets.
        assert!(state.take_graph(&throttle, "t/other", 1.0, true).is_ok());
        assert_eq!(state.observed.throttled, 2);
    }

    #[test]
    fn rolls_are_deterministic_and_spread() {
        assert_eq!(roll(7, "x", 1), roll(7, "x", 1));
        assert_ne!(roll(7, "x", 1), roll(8, "x", 1));
        let hits = (0..10_000).filter(|n| roll(1, "rate", *n) < 0.1).count();
        assert!((800..1200).contains(&hits), "{hits}");
    }

    #[test]
    fn the_same_seed_meets_the_same_faults() {
        let faults = Faults {
            seed: 42,
            server_error_rate: 0.3,
            drop_rate: 0.1,
            ..Faults::default()
        };
        let run = || {
            let mut state = FaultState::default();
            (0..50)
                .map(|_| state.verdict(&faults, Host::Arm))
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        assert!(
            first.contains(&Verdict::Drop) && first.iter().any(|v| matches!(v, Verdict::Fail(_)))
        );
    }

    #[test]
    fn buckets_empty_then_say_how_long_to_wait() {
        let throttle = Throttle {
            writes: (3.0, 0.5),
            ..Throttle::default()
        };
        let mut state = FaultState::default();
        assert_eq!(
            state.take(&throttle, "/subscriptions/a", Kind::Writes),
            Ok(2)
        );
        assert_eq!(
            state.take(&throttle, "/subscriptions/a", Kind::Writes),
            Ok(1)
        );
        assert_eq!(
            state.take(&throttle, "/subscriptions/a", Kind::Writes),
            Ok(0)
        );
        assert_eq!(
            state.take(&throttle, "/subscriptions/a", Kind::Writes),
            Err(2)
        );
        // Buckets are per subscription and per kind.
        assert_eq!(
            state.take(&throttle, "/subscriptions/b", Kind::Writes),
            Ok(2)
        );
        assert!(
            state
                .take(&throttle, "/subscriptions/a", Kind::Reads)
                .is_ok()
        );
    }
}
