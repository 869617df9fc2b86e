//! vnav's integration tests: one binary, one module per area.

mod app_actions;
mod app_ui;
mod e2e_actions;
mod e2e_tmux;
mod secrets;
mod sim_faults;
mod sim_perf;
mod sim_schema;
mod sim_support;
mod sim_vcd;
mod sim_vcd_actions;
mod sim_vcd_query;
mod sim_vcenter;
mod sim_vcenter_checker;
mod sim_vcenter_inventory;
mod sim_vcenter_power;
mod sim_vcenter_soap;
mod sim_vcenter_spec;
mod sim_vcenter_support;
mod soak;
mod support;
mod tmux;
mod vcd_client;
mod vcd_faults;
mod vcd_versions;
mod vcenter_client;
