//! The VApp and Vm documents, section by section in the order the vCloud XSD demands. A system
//! administrator also sees, in each Vm's `VCloudExtension`, the vCenter objects behind it
//! (`vmext:VmVimInfo`), naming the vCenter as a `VimServer` (see `vim_server.rs`).

use std::fmt::Write as _;

use super::actions::action_links;
use super::entities::{describe, open};
use super::vim_server::{VMEXT_NS, vim_server_ref};
use super::xml::{DECL, OVF_NS, VCLOUD_NS, XSI_NS, esc, link, media, unix_datetime};
use crate::sim::inventory::vm_moid;
use crate::sim::world::{Entity, World, uuid_str};

fn mac(vm_index: u32, nic: usize) -> String {
    let n = vm_index as u64 * 4 + nic as u64;
    format!(
        "00:50:56:{:02x}:{:02x}:{:02x}",
        (n >> 16) & 0x3f,
        (n >> 8) & 0xff,
        n & 0xff
    )
}

/// `VCloudExtension` with the VM's `VmVimInfo`: its vCenter VM, datastore and host.
fn vim_info(out: &mut String, w: &World, b: &str, v: u32) {
    let inv = &w.vc;
    let server = vim_server_ref(w, b);
    let obj = |elem: &str, moid: &str, kind: &str| {
        format!(
            "<vmext:{elem}>{server}<vmext:MoRef>{moid}</vmext:MoRef>\
             <vmext:VimObjectType>{kind}</vmext:VimObjectType></vmext:{elem}>"
        )
    };
    let datastore = &inv.datastores[inv.vm_datastore[v as usize] as usize].moid;
    let host = &inv.hosts[inv.vm_host[v as usize] as usize].moid;
    let _ = writeln!(
        out,
        "<VCloudExtension required=\"false\"><vmext:VmVimInfo xmlns:vmext=\"{VMEXT_NS}\">{}{}{}\
         <vmext:VirtualDisksMaxChainLength>{}</vmext:VirtualDisksMaxChainLength></vmext:VmVimInfo></VCloudExtension>",
        obj("VmVimObjectRef", &vm_moid(w, v), "VIRTUAL_MACHINE"),
        obj("DatastoreVimObjectRef", datastore, "DATASTORE"),
        obj("HostVimObjectRef", host, "HOST"),
        1 + u32::from(w.vms[v as usize].snapshot.is_some())
    );
}

/// `standalone`: a document of its own (declaration and namespaces) rather than a vApp child.
/// `admin`: the reader is a system administrator, who sees the vCenter objects behind it.
pub fn vm_doc(w: &World, b: &str, v: u32, standalone: bool, admin: bool) -> String {
    let vm = &w.vms[v as usize];
    let d = describe(w, b, Entity::Vm(v));
    let h = &d.href;
    let mut out = String::new();
    let ns = if standalone {
        out.push_str(DECL);
        format!("{OVF_NS}{XSI_NS}")
    } else {
        String::new()
    };
    let attrs = format!(
        "{ns} needsCustomization=\"false\" deployed=\"{}\" status=\"{}\"",
        vm.deployed(),
        vm.power.status()
    );
    if standalone {
        open(&mut out, "Vm", &d, &attrs);
    } else {
        let _ = writeln!(
            out,
            "<Vm{attrs} name=\"{}\" id=\"{}\" type=\"{}\" href=\"{h}\">",
            esc(&d.name),
            d.urn,
            media("vm")
        );
    }
    if admin {
        vim_info(&mut out, w, b, v);
    }
    action_links(&mut out, w, Entity::Vm(v), h);
    link(&mut out, "edit", "vm", "", h);
    link(&mut out, "down", "metadata", "", &format!("{h}/metadata"));
    link(
        &mut out,
        "up",
        "vApp",
        "",
        &describe(w, b, Entity::VApp(vm.vapp)).href,
    );
    let (os_desc, os_id, os_type, windows) = vm.os();
    let _ = writeln!(
        out,
        "<Description>{}</Description>",
        esc(&format!("{} server", vm.name))
    );
    // Virtual hardware: NICs, SCSI controller, disks, CPU, memory.
    let vhs = media("virtualHardwareSection");
    let _ = writeln!(
        out,
        "<ovf:VirtualHardwareSection ovf:transport=\"\" vcloud:href=\"{h}/virtualHardwareSection/\" vcloud:type=\"{vhs}\">\
         <ovf:Info>Virtual hardware requirements</ovf:Info>\n<ovf:System><vssd:ElementName>Virtual Hardware Family</vssd:ElementName>\
         <vssd:InstanceID>0</vssd:InstanceID><vssd:VirtualSystemIdentifier>{}</vssd:VirtualSystemIdentifier>\
         <vssd:VirtualSystemType>vmx-{}</vssd:VirtualSystemType></ovf:System>",
        esc(&vm.name),
        vm.hw_version
    );
    for (k, nic) in vm.nics.iter().enumerate() {
        let net = &w.networks[nic.net as usize];
        let _ = writeln!(
            out,
            "<ovf:Item><rasd:Address>{}</rasd:Address><rasd:AddressOnParent>{k}</rasd:AddressOnParent>\
             <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation><rasd:Connection vcloud:ipAddress=\"{}\" \
             vcloud:primaryNetworkConnection=\"{}\" vcloud:ipAddressingMode=\"POOL\">{}</rasd:Connection>\
             <rasd:Description>Vmxnet3 ethernet adapter on \"{3}\"</rasd:Description>\
             <rasd:ElementName>Network adapter {k}</rasd:ElementName><rasd:InstanceID>{}</rasd:InstanceID>\
             <rasd:ResourceSubType>VMXNET3</rasd:ResourceSubType><rasd:ResourceType>10</rasd:ResourceType></ovf:Item>",
            mac(v, k),
            net.ip(nic.host),
            k == 0,
            esc(&net.name),
            k + 1
        );
    }
    out.push_str(
        "<ovf:Item><rasd:Address>0</rasd:Address><rasd:Description>SCSI Controller</rasd:Description>\
         <rasd:ElementName>SCSI Controller 0</rasd:ElementName><rasd:InstanceID>3</rasd:InstanceID>\
         <rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType><rasd:ResourceType>6</rasd:ResourceType></ovf:Item>\n",
    );
    for (k, gb) in vm.disks_gb.iter().enumerate() {
        let _ = writeln!(
            out,
            "<ovf:Item><rasd:AddressOnParent>{k}</rasd:AddressOnParent><rasd:Description>Hard disk</rasd:Description>\
             <rasd:ElementName>Hard disk {}</rasd:ElementName><rasd:HostResource vcloud:capacity=\"{}\" \
             vcloud:busSubType=\"VirtualSCSI\" vcloud:busType=\"6\"/><rasd:InstanceID>{}</rasd:InstanceID>\
             <rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></ovf:Item>",
            k + 1,
            gb * 1024,
            2000 + k
        );
    }
    let item = media("rasdItem");
    let _ = writeln!(
        out,
        "<ovf:Item vcloud:href=\"{h}/virtualHardwareSection/cpu\" vcloud:type=\"{item}\"><rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>\
         <rasd:Description>Number of Virtual CPUs</rasd:Description><rasd:ElementName>{0} virtual CPU(s)</rasd:ElementName>\
         <rasd:InstanceID>4</rasd:InstanceID><rasd:Reservation>0</rasd:Reservation><rasd:ResourceType>3</rasd:ResourceType>\
         <rasd:VirtualQuantity>{0}</rasd:VirtualQuantity><rasd:Weight>0</rasd:Weight></ovf:Item>",
        vm.cpus
    );
    let _ = writeln!(
        out,
        "<ovf:Item vcloud:href=\"{h}/virtualHardwareSection/memory\" vcloud:type=\"{item}\"><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\
         <rasd:Description>Memory Size</rasd:Description><rasd:ElementName>{0} MB of memory</rasd:ElementName>\
         <rasd:InstanceID>5</rasd:InstanceID><rasd:Reservation>0</rasd:Reservation><rasd:ResourceType>4</rasd:ResourceType>\
         <rasd:VirtualQuantity>{0}</rasd:VirtualQuantity><rasd:Weight>0</rasd:Weight></ovf:Item>",
        vm.mem_mb
    );
    link(
        &mut out,
        "edit",
        "virtualHardwareSection",
        "",
        &format!("{h}/virtualHardwareSection/"),
    );
    out.push_str("</ovf:VirtualHardwareSection>\n");
    let _ = writeln!(
        out,
        "<ovf:OperatingSystemSection ovf:id=\"{os_id}\" vcloud:href=\"{h}/operatingSystemSection/\" vcloud:type=\"{}\" \
         vmw:osType=\"{os_type}\"><ovf:Info>Specifies the operating system installed</ovf:Info>\
         <ovf:Description>{}</ovf:Description></ovf:OperatingSystemSection>",
        media("operatingSystemSection"),
        esc(os_desc)
    );
    let _ = writeln!(
        out,
        "<NetworkConnectionSection type=\"{}\" href=\"{h}/networkConnectionSection/\" ovf:required=\"false\">\
         <ovf:Info>Specifies the available VM network connections</ovf:Info>\
         <PrimaryNetworkConnectionIndex>0</PrimaryNetworkConnectionIndex>",
        media("networkConnectionSection")
    );
    for (k, nic) in vm.nics.iter().enumerate() {
        let net = &w.networks[nic.net as usize];
        let _ = writeln!(
            out,
            "<NetworkConnection network=\"{}\" needsCustomization=\"false\"><NetworkConnectionIndex>{k}</NetworkConnectionIndex>\
             <IpAddress>{}</IpAddress><IsConnected>true</IsConnected><MACAddress>{}</MACAddress>\
             <IpAddressAllocationMode>POOL</IpAddressAllocationMode></NetworkConnection>",
            esc(&net.name),
            net.ip(nic.host),
            mac(v, k)
        );
    }
    out.push_str("</NetworkConnectionSection>\n");
    let _ = writeln!(
        out,
        "<GuestCustomizationSection type=\"{}\" href=\"{h}/guestCustomizationSection/\" ovf:required=\"false\">\
         <ovf:Info>Specifies Guest OS Customization Settings</ovf:Info><Enabled>true</Enabled><ChangeSid>{windows}</ChangeSid>\
         <VirtualMachineId>{}</VirtualMachineId><JoinDomainEnabled>false</JoinDomainEnabled><UseOrgSettings>false</UseOrgSettings>\
         <AdminPasswordEnabled>false</AdminPasswordEnabled><AdminPasswordAuto>true</AdminPasswordAuto>\
         <ResetPasswordRequired>false</ResetPasswordRequired><ComputerName>{}</ComputerName></GuestCustomizationSection>",
        media("guestCustomizationSection"),
        uuid_str(vm.id),
        esc(&vm.name)
    );
    if vm.tools_version() > 0 {
        let _ = writeln!(
            out,
            "<RuntimeInfoSection vcloud:href=\"{h}/runtimeInfoSection\" vcloud:type=\"{vhs}\"><ovf:Info>Specifies Runtime info</ovf:Info>\
             <VMWareTools version=\"{}\"/></RuntimeInfoSection>",
            vm.tools_version()
        );
    }
    snapshot_section(&mut out, w, v, h, "");
    let _ = writeln!(
        out,
        "<DateCreated>{}</DateCreated>\n<VAppScopedLocalId>{}</VAppScopedLocalId>\n</Vm>",
        unix_datetime(vm.created),
        esc(&vm.name)
    );
    out
}

/// The VM's SnapshotSection: inside the Vm document (`ns` empty), or as a document of its own
/// at `{vm}/snapshotSection`.
fn snapshot_section(out: &mut String, w: &World, v: u32, h: &str, ns: &str) {
    let _ = write!(
        out,
        "<SnapshotSection{ns} type=\"{}\" href=\"{h}/snapshotSection\" ovf:required=\"false\"><ovf:Info>Snapshot information section</ovf:Info>",
        media("snapshotSection")
    );
    if let Some(s) = w.vms[v as usize].snapshot {
        let _ = write!(
            out,
            "<Snapshot created=\"{}\" poweredOn=\"{}\" size=\"{}\"/>",
            unix_datetime(s.created),
            s.powered_on,
            s.size
        );
    }
    out.push_str("</SnapshotSection>\n");
}

/// `GET /api/vApp/vm-{id}/snapshotSection`.
pub fn snapshot_section_doc(w: &World, b: &str, v: u32) -> String {
    let h = describe(w, b, Entity::Vm(v)).href;
    let mut out = DECL.to_string();
    let ns = format!(" xmlns=\"{VCLOUD_NS}\"{OVF_NS}");
    snapshot_section(&mut out, w, v, &h, &ns);
    out
}

pub fn vapp_doc(w: &World, b: &str, a: u32, admin: bool) -> String {
    let vapp = &w.vapps[a as usize];
    let d = describe(w, b, Entity::VApp(a));
    let h = &d.href;
    let mut out = String::from(DECL);
    let attrs = format!(
        "{OVF_NS}{XSI_NS} deployed=\"{}\" status=\"{}\"",
        w.vapp_deployed(a),
        w.vapp_status(a)
    );
    open(&mut out, "VApp", &d, &attrs);
    action_links(&mut out, w, Entity::VApp(a), h);
    link(
        &mut out,
        "up",
        "vdc",
        "",
        &describe(w, b, Entity::Vdc(vapp.vdc)).href,
    );
    link(&mut out, "edit", "vApp", "", h);
    link(&mut out, "down", "metadata", "", &format!("{h}/metadata"));
    let _ = writeln!(
        out,
        "<Description>{}</Description>\n<LeaseSettingsSection type=\"{}\" href=\"{h}/leaseSettingsSection/\" ovf:required=\"false\">\
         <ovf:Info>Lease settings section</ovf:Info><DeploymentLeaseInSeconds>0</DeploymentLeaseInSeconds>\
         <StorageLeaseInSeconds>0</StorageLeaseInSeconds></LeaseSettingsSection>",
        esc(&format!("{} application", vapp.name)),
        media("leaseSettingsSection")
    );
    let owner = w.owner_name(a);
    let owner_id = w.orgs[vapp.org as usize].admin_user ^ (vapp.owner as u128 + 1);
    let _ = writeln!(
        out,
        "<DateCreated>{}</DateCreated>\n<Owner type=\"{}\"><User type=\"application/vnd.vmware.admin.user+xml\" name=\"{owner}\" \
         href=\"{b}/api/admin/user/{}\"/></Owner>\n<InMaintenanceMode>false</InMaintenanceMode>\n<Children>",
        unix_datetime(vapp.created),
        media("owner"),
        uuid_str(owner_id)
    );
    for v in vapp.vms() {
        out.push_str(&vm_doc(w, b, v as u32, false, admin));
    }
    out.push_str("</Children>\n</VApp>\n");
    out
}
