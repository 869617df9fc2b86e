//! Backends on a simulator, built the one way every test needs: vCD or vCenter, as any user with
//! any HTTP options, or as the simulator's administrator with the defaults.

use vnav::api::http::HttpOptions;
use vnav::api::vcd::{VcdBackend, VcdConfig};
use vnav::api::vcenter::{VcenterBackend, VcenterConfig};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Sim, VCENTER_USER};

pub fn vcd(url: &str, user: &str, password: &str, http: HttpOptions) -> VcdBackend {
    vnav::api::tls::install_crypto_provider();
    VcdBackend::new(VcdConfig {
        url: url.into(),
        user: user.into(),
        password: password.to_string().into(),
        http,
    })
    .expect("valid vCD config")
}

pub fn vcenter(url: &str, user: &str, password: &str, http: HttpOptions) -> VcenterBackend {
    vnav::api::tls::install_crypto_provider();
    VcenterBackend::new(VcenterConfig {
        url: url.into(),
        user: user.into(),
        password: password.to_string().into(),
        http,
    })
    .expect("valid vCenter config")
}

/// The simulator's vCD as its system administrator.
pub fn vcd_admin(s: &Sim) -> VcdBackend {
    vcd(&s.vcd_url, DEMO_USER, DEMO_PASSWORD, HttpOptions::default())
}

/// The simulator's vCenter as its administrator.
pub fn vcenter_admin(s: &Sim) -> VcenterBackend {
    vcenter(
        &s.vcenter_url,
        VCENTER_USER,
        DEMO_PASSWORD,
        HttpOptions::default(),
    )
}

/// Default options but no hedged copies: tests that count what the server saw (requests, open
/// continuation tokens) would count a slow read's copy on a loaded machine too (hedging has its
/// own tests, `hedge::*`).
pub fn unhedged() -> HttpOptions {
    HttpOptions {
        hedge: vnav::api::hedge::HedgeOptions {
            enabled: false,
            ..Default::default()
        },
        ..HttpOptions::default()
    }
}

/// The simulator's vCenter as its administrator, sending no hedged copies (`unhedged`).
pub fn vcenter_admin_unhedged(s: &Sim) -> VcenterBackend {
    vcenter(&s.vcenter_url, VCENTER_USER, DEMO_PASSWORD, unhedged())
}

/// The simulator's Aria Operations, reading `page_size` resources a page with at most
/// `concurrency` requests in flight.
pub fn vrops(s: &Sim, page_size: u64, concurrency: usize) -> vnav::api::vrops::VropsBackend {
    vnav::api::tls::install_crypto_provider();
    vnav::api::vrops::VropsBackend::new(vnav::api::vrops::VropsConfig {
        url: s.vrops_url.clone(),
        user: vnav::sim::VROPS_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        // These tests count the requests the server saw.
        http: HttpOptions {
            concurrency,
            ..unhedged()
        },
        page_size,
    })
    .expect("valid Aria Operations config")
}

/// The simulator's Orchestrator as the user its generation logs in with, reading `page_size`
/// items a list page, with these workflow risks.
pub fn vro(
    s: &Sim,
    page_size: u64,
    risks: std::collections::BTreeMap<String, vnav::api::model::Risk>,
) -> vnav::api::vro::VroBackend {
    vnav::api::tls::install_crypto_provider();
    vnav::api::vro::VroBackend::new(vnav::api::vro::VroConfig {
        url: s.vro_url.clone(),
        user: s.vro_user().into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions::default(),
        page_size,
        risks,
    })
    .expect("valid Orchestrator config")
}
