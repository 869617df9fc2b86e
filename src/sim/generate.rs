//! Deterministic world generation: the same seed and size always build the same cloud.

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::names::*;
use super::world::*;

/// 2023-01-01T00:00:00Z; creation dates fall in the two years after it.
const EPOCH: i64 = 1_672_531_200;
const DAY: i64 = 86_400;

fn new_id(rng: &mut ChaCha8Rng) -> Id {
    let raw: u128 = rng.random();
    // Version 4, RFC 4122 variant, so the ids look like what vCD hands out.
    (raw & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62)
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.random_range(0..total);
    for (item, w) in items {
        if r < *w {
            return *item;
        }
        r -= w;
    }
    items[items.len() - 1].0
}

/// Builds a world with exactly `vm_count` VMs.
pub fn generate(vm_count: usize, seed: u64) -> World {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut w = World {
        vcenter: new_id(&mut rng),
        ..Default::default()
    };
    w.orgs.push(Org {
        id: new_id(&mut rng),
        name: "System".into(),
        full_name: "System Organization".into(),
        system: true,
        admin_user: new_id(&mut rng),
        vdcs: vec![],
        catalogs: vec![],
        networks: vec![],
    });
    let tenant_orgs = (vm_count / 5000).clamp(3, ORGS.len());
    // Per VDC, how generously it is sized (see `size_vdcs`).
    let mut headroom = vec![];
    let mut octet = 0u8;
    for (o, (name, full)) in ORGS.iter().take(tenant_orgs).enumerate() {
        let oi = (o + 1) as u32;
        let mut org = Org {
            id: new_id(&mut rng),
            name: (*name).into(),
            full_name: (*full).into(),
            system: false,
            admin_user: new_id(&mut rng),
            vdcs: vec![],
            catalogs: vec![],
            networks: vec![],
        };
        let site = SITES[o % SITES.len()];
        for tier in VDC_TIERS.iter().take(rng.random_range(1..=3usize)) {
            org.vdcs.push(w.vdcs.len() as u32);
            headroom.push(rng.random_range(2..=20u64));
            w.vdcs.push(Vdc {
                id: new_id(&mut rng),
                name: format!("{name}-{site}-{}", tier),
                org: oi,
                cluster: format!("{site}{:02}", w.vdcs.len() + 1),
                vapps: vec![],
                // Sized from the VMs once they exist (`size_vdcs`).
                cpu_limit_mhz: 0,
                mem_limit_mb: 0,
                storage_limit_mb: 0,
            });
        }
        for kind in CATALOGS.iter().take(rng.random_range(1..=2usize)) {
            let items = (0..rng.random_range(2..=5))
                .map(|_| {
                    (
                        new_id(&mut rng),
                        TEMPLATES[rng.random_range(0..TEMPLATES.len())],
                    )
                })
                .collect();
            org.catalogs.push(w.catalogs.len() as u32);
            w.catalogs.push(Catalog {
                id: new_id(&mut rng),
                name: format!("{name}-{}", kind),
                org: oi,
                items,
            });
        }
        for k in 0..rng.random_range(2..=3usize) {
            let (kind, fence) = NET_KINDS[(o + k) % NET_KINDS.len()];
            org.networks.push(w.networks.len() as u32);
            octet = octet.wrapping_add(1);
            w.networks.push(Network {
                id: new_id(&mut rng),
                name: format!("{name}-{kind}-net"),
                org: oi,
                vdc: org.vdcs[k % org.vdcs.len()],
                octet,
                fence,
            });
        }
        w.orgs.push(org);
    }
    // Orgs differ in size: each gets a random weight.
    let weights: Vec<(u32, u32)> = (1..=tenant_orgs as u32)
        .map(|o| (o, rng.random_range(1..=6)))
        .collect();
    let mut next_host = vec![10u32; w.networks.len()];
    let mut role_counter: HashMap<&str, u32> = HashMap::new();
    let mut vapp_counter: HashMap<(u8, u8), u32> = HashMap::new();
    w.vms.reserve(vm_count);
    while w.vms.len() < vm_count {
        let size = pick(
            &mut rng,
            &[(1u32, 15), (2, 20), (3, 25), (4, 20), (5, 12), (6, 8)],
        );
        let size = size.min((vm_count - w.vms.len()) as u32);
        let org = pick(&mut rng, &weights);
        let org_vdcs = &w.orgs[org as usize].vdcs;
        let vdc = org_vdcs[rng.random_range(0..org_vdcs.len())];
        let app = rng.random_range(0..APPS.len()) as u8;
        let env = pick(&mut rng, &[(0u8, 40), (1, 20), (2, 20), (3, 12), (4, 8)]);
        let n = vapp_counter.entry((app, env)).or_insert(0);
        *n += 1;
        let mut name = format!("{}-{}", APPS[app as usize], ENVS[env as usize]);
        if *n > 1 {
            name = format!("{name}-{:02}", n);
        }
        let ai = w.vapps.len() as u32;
        let created = EPOCH + rng.random_range(0..700) * DAY + rng.random_range(0..DAY);
        // A vApp is mostly running, stopped, or left in a mixed state.
        let mode = pick(&mut rng, &[(0u8, 72), (1, 22), (2, 6)]);
        let (stack, windows) = STACKS[rng.random_range(0..STACKS.len())];
        let org_nets = w.orgs[org as usize].networks.clone();
        for i in 0..size as usize {
            let role = stack[i % stack.len()];
            let c = role_counter.entry(role).or_insert(0);
            *c += 1;
            let vm_name = if env == 0 && matches!(role, "db" | "sql") {
                format!("{role}-prod-{:02}", c)
            } else {
                format!("{role}-{:02}", c)
            };
            let power = match mode {
                0 => pick(
                    &mut rng,
                    &[(Power::On, 95), (Power::Off, 3), (Power::Suspended, 2)],
                ),
                1 => Power::Off,
                _ => pick(
                    &mut rng,
                    &[(Power::On, 40), (Power::Off, 20), (Power::Suspended, 40)],
                ),
            };
            let os = if windows {
                rng.random_range(7..=8)
            } else {
                pick(
                    &mut rng,
                    &[
                        (0u8, 35),
                        (1, 12),
                        (2, 15),
                        (3, 10),
                        (4, 8),
                        (5, 8),
                        (6, 12),
                    ],
                )
            };
            let mut disks = vec![pick(
                &mut rng,
                &[
                    (20u32, 10),
                    (40, 30),
                    (50, 20),
                    (60, 15),
                    (80, 15),
                    (100, 10),
                ],
            )];
            for _ in 0..pick(&mut rng, &[(0u32, 55), (1, 30), (2, 15)]) {
                disks.push(rng.random_range(5..=50) * 10);
            }
            let mut nics = vec![];
            let first = rng.random_range(0..org_nets.len());
            let count = if rng.random_bool(0.2) { 2 } else { 1 };
            for k in 0..count {
                let net = org_nets[(first + k) % org_nets.len()];
                let host = next_host[net as usize];
                next_host[net as usize] += 1;
                nics.push(Nic { net, host });
            }
            let vm_created = created + rng.random_range(0..3600);
            let snapshot = rng.random_bool(0.2).then(|| Snapshot {
                created: vm_created + rng.random_range(1..300) * DAY,
                size: rng.random_range(1..=20u64) << 30,
                powered_on: power == Power::On && rng.random_bool(0.5),
            });
            let vi = w.vms.len() as u32;
            w.vms.push(Vm {
                id: new_id(&mut rng),
                name: vm_name,
                vapp: ai,
                os,
                cpus: pick(&mut rng, &[(1u8, 15), (2, 35), (4, 30), (8, 14), (16, 6)]),
                mem_mb: 1024
                    * pick(
                        &mut rng,
                        &[
                            (1u32, 8),
                            (2, 20),
                            (4, 30),
                            (8, 22),
                            (16, 12),
                            (32, 6),
                            (64, 2),
                        ],
                    ),
                disks_gb: disks,
                nics,
                power,
                snapshot,
                tools: pick(
                    &mut rng,
                    &[(Tools::Ok, 90), (Tools::Old, 7), (Tools::NotInstalled, 3)],
                ),
                hw_version: HW_VERSIONS[rng.random_range(0..HW_VERSIONS.len())],
                host: rng.random_range(1..=16),
                datastore: rng.random_range(1..=8),
                moref: 1000 + vi,
                created: vm_created,
                cost_center: rng.random_range(1000..1040),
            });
        }
        w.vdcs[vdc as usize].vapps.push(ai);
        w.vapps.push(VApp {
            id: new_id(&mut rng),
            name,
            vdc,
            org,
            first_vm: w.vms.len() as u32 - size,
            vm_count: size,
            created,
            owner: rng.random_range(0..PEOPLE.len()) as u8,
            env,
            app,
        });
    }
    size_vdcs(&mut w, &headroom);
    index(&mut w);
    super::inventory::build(&mut w, seed);
    w
}

/// Limits that fit what each VDC holds: room for every VM powered on (so no power action ever
/// overcommits by accident) plus 30 to 120 % headroom, in round numbers. The first VDC is
/// overcommitted on purpose (CPU in use 120 % of its limit), as real clouds sometimes are, so
/// clients have a case to show.
fn size_vdcs(w: &mut World, headroom: &[u64]) {
    let round_up = |v: u64, step: u64, min: u64| (v.div_ceil(step) * step).max(min);
    for (i, k) in headroom.iter().enumerate() {
        let (mut cpu, mut mem, mut disk, mut running_cpu) = (0u64, 0u64, 0u64, 0u64);
        for &a in &w.vdcs[i].vapps {
            for vm in &w.vms[w.vapps[a as usize].vms()] {
                cpu += vm.cpus as u64 * MHZ_PER_VCPU;
                mem += vm.mem_mb as u64;
                disk += vm.disks_gb.iter().map(|g| *g as u64 * 1024).sum::<u64>();
                if vm.power == Power::On {
                    running_cpu += vm.cpus as u64 * MHZ_PER_VCPU;
                }
            }
        }
        // 130 % for k = 2 up to 220 % for k = 20.
        let grow = |v: u64| v * (120 + 5 * k) / 100;
        let vdc = &mut w.vdcs[i];
        vdc.cpu_limit_mhz = round_up(grow(cpu), 10_000, 10_000);
        vdc.mem_limit_mb = round_up(grow(mem), 64 * 1024, 64 * 1024);
        vdc.storage_limit_mb = round_up(grow(disk), 1024 * 1024, 1024 * 1024);
        if i == 0 && running_cpu > 0 {
            vdc.cpu_limit_mhz = (running_cpu * 100 / 120 / 100 * 100).max(100);
        }
    }
}

fn index(w: &mut World) {
    let mut m = HashMap::with_capacity(w.vms.len() + w.vapps.len() + 64);
    m.extend(
        w.orgs
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id, Entity::Org(i as u32))),
    );
    m.extend(
        w.vdcs
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id, Entity::Vdc(i as u32))),
    );
    m.extend(
        w.networks
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id, Entity::Network(i as u32))),
    );
    m.extend(
        w.catalogs
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id, Entity::Catalog(i as u32))),
    );
    m.extend(
        w.vapps
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id, Entity::VApp(i as u32))),
    );
    m.extend(
        w.vms
            .iter()
            .enumerate()
            .map(|(i, x)| (x.id, Entity::Vm(i as u32))),
    );
    w.by_id = m;
}
