//! Validation of the network a set is billed for: the load balancer and public IPs.

#[allow(clippy::wildcard_imports)] // the parent's imports and helpers, shared by every part
use super::*;

/// Most rules a Standard Load Balancer takes (Azure's limit for load-balancing rules).
const MAX_LB_RULES: i64 = 1500;
/// Most GB of load-balancer data per month accepted: a petabyte.
const MAX_LB_GB_PER_MONTH: i64 = 1_000_000;
/// Most public IPs per set accepted (one per VM of the largest set).
const MAX_PUBLIC_IPS: i64 = 1000;

/// The priced network resources of a set: `loadBalancer` and `publicIps`.
pub(super) fn validate_network(raw: &RawScaleSet, c: &mut Checker<'_>) -> (Option<LoadBalancer>, u32) {
    let load_balancer = raw.load_balancer.as_ref().map(|lb| LoadBalancer {
        rules: c.int_in("loadBalancer.rules", lb.rules, 1, 0, MAX_LB_RULES),
        data_processed_gb: c.int_in("loadBalancer.dataProcessedGb", lb.data_processed_gb, 0, 0, MAX_LB_GB_PER_MONTH),
    });
    let public_ips = c.int_in("publicIps", raw.public_ips, 0, 0, MAX_PUBLIC_IPS);
    (load_balancer, public_ips)
}
