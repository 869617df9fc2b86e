//! The vim25 object model behind both wire protocols, SOAP at `/sdk` and VI/JSON at
//! `/sdk/vim25/{release}`: values and faults as data (each protocol renders them its own way),
//! the service content, login, snapshot trees and their tasks, and property retrieval.

pub mod events;
pub mod json_page;
pub mod layout;
pub mod pages;
pub mod props;
pub mod snapshots;
pub mod usage;

use super::{VcShared, VcenterVersion};
use crate::sim::{DEMO_PASSWORD, VCENTER_USER};

/// A vim data value. Field order in `Obj` is the WSDL's, which SOAP needs.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A vim enum: its type name and value (`VirtualMachinePowerState`, `poweredOn`).
    Enum(&'static str, &'static str),
    /// A managed object reference: type and moid.
    Ref(&'static str, String),
    /// A data object: type name and fields; absent optional fields are simply left out.
    Obj(&'static str, Vec<(&'static str, Val)>),
    /// An array of the named element type (`int`, `VirtualMachineSnapshotTree`…).
    List(&'static str, Vec<Val>),
    /// A value where the WSDL declares a base type or `anyType` (a property's `val`, a task's
    /// `result`, a fault): SOAP then names its type with `xsi:type`, JSON boxes primitives.
    Any(Box<Val>),
}

impl Val {
    pub fn str(s: impl Into<String>) -> Val {
        Val::Str(s.into())
    }
    pub fn any(self) -> Val {
        match self {
            Val::Any(_) => self,
            v => Val::Any(Box::new(v)),
        }
    }
    /// The vim type name of the value (`string`, `ArrayOfInt`, `TaskInfo`…).
    pub fn type_name(&self) -> String {
        match self {
            Val::Str(_) => "string".into(),
            Val::Int(_) => "int".into(),
            Val::Bool(_) => "boolean".into(),
            Val::Enum(t, _) | Val::Obj(t, _) => (*t).into(),
            Val::Ref(..) => "ManagedObjectReference".into(),
            Val::List(elem, _) => {
                let mut c = elem.chars();
                let first = c.next().map(|f| f.to_ascii_uppercase());
                format!("ArrayOf{}{}", first.unwrap_or_default(), c.as_str())
            }
            Val::Any(v) => v.type_name(),
        }
    }
}

/// A vim fault: its type (`InvalidLogin`…), a human message and the fault's own fields.
#[derive(Clone, Debug, PartialEq)]
pub struct Fault {
    pub kind: &'static str,
    pub message: String,
    pub fields: Vec<(&'static str, Val)>,
}

impl Fault {
    pub fn new(kind: &'static str, message: impl Into<String>) -> Fault {
        Fault {
            kind,
            message: message.into(),
            fields: vec![],
        }
    }
    pub fn with(mut self, field: &'static str, v: Val) -> Fault {
        self.fields.push((field, v));
        self
    }
    pub fn not_found(kind: &'static str, id: &str) -> Fault {
        Fault::new(
            "ManagedObjectNotFound",
            format!(
                "The object '{id}' has already been deleted or has not been completely created"
            ),
        )
        .with("obj", Val::Ref(kind, id.into()))
    }
    pub fn invalid_property(path: &str) -> Fault {
        Fault::new(
            "InvalidProperty",
            format!("The simulator does not serve property {path}."),
        )
        .with("name", Val::str(path))
    }
    pub fn not_supported(method: &str) -> Fault {
        Fault::new(
            "NotSupported",
            format!("The simulator does not implement {method}."),
        )
    }
    pub fn invalid_request(message: impl Into<String>) -> Fault {
        Fault::new("InvalidRequest", message)
    }
    pub fn not_authenticated() -> Fault {
        Fault::new("NotAuthenticated", "The session is not authenticated.")
            .with(
                "object",
                Val::Ref("SessionManager", "SessionManager".into()),
            )
            .with("privilegeId", Val::str("System.View"))
    }
}

/// How a protocol hands a method's arguments to the shared core.
pub trait Args {
    fn text(&self, name: &str) -> Result<Option<String>, Fault>;
    fn flag(&self, name: &str) -> Result<Option<bool>, Fault>;
}

/// A required argument, or the `InvalidRequest` vSphere answers without it.
pub fn required<T>(v: Result<Option<T>, Fault>, name: &str) -> Result<T, Fault> {
    v?.ok_or_else(|| Fault::invalid_request(format!("Required argument {name} is missing.")))
}

/// `ServiceInstance.content`.
pub fn service_content(s: &VcShared) -> Val {
    let (version, build) = match s.version {
        VcenterVersion::V6_7 => ("6.7.0", "19299595"),
        VcenterVersion::V7_0 => ("7.0.3", "21477706"),
        VcenterVersion::V8_0 => ("8.0.2", "22617221"),
    };
    let w = s.vcd.read();
    let r = |kind: &'static str, id: &str| Val::Ref(kind, id.into());
    let about = Val::Obj(
        "AboutInfo",
        vec![
            ("name", Val::str("VMware vCenter Server")),
            (
                "fullName",
                Val::str(format!("VMware vCenter Server {version} build-{build}")),
            ),
            ("vendor", Val::str("VMware, Inc.")),
            ("version", Val::str(version)),
            ("build", Val::str(build)),
            ("localeVersion", Val::str("INTL")),
            ("localeBuild", Val::str("000")),
            ("osType", Val::str("linux-x64")),
            ("productLineId", Val::str("vpx")),
            ("apiType", Val::str("VirtualCenter")),
            ("apiVersion", Val::str(format!("{version}.0"))),
            (
                "instanceUuid",
                Val::str(crate::sim::world::uuid_str(w.vcenter)),
            ),
            (
                "licenseProductName",
                Val::str("VMware VirtualCenter Server"),
            ),
            (
                "licenseProductVersion",
                Val::str(format!("{}.0", &version[..1])),
            ),
        ],
    );
    Val::Obj(
        "ServiceContent",
        vec![
            ("rootFolder", r("Folder", &w.vc.folders[0].moid)),
            (
                "propertyCollector",
                r("PropertyCollector", "propertyCollector"),
            ),
            ("viewManager", r("ViewManager", "ViewManager")),
            ("about", about),
            ("sessionManager", r("SessionManager", "SessionManager")),
            ("eventManager", r("EventManager", "EventManager")),
            ("taskManager", r("TaskManager", "TaskManager")),
            ("searchIndex", r("SearchIndex", "SearchIndex")),
        ],
    )
}

/// `SessionManager.Login`: a new session (shared with REST) and its `UserSession`.
pub fn login(s: &VcShared, a: &impl Args) -> Result<(String, Val), Fault> {
    let user = required(a.text("userName"), "userName")?;
    let password = required(a.text("password"), "password")?;
    if !user.eq_ignore_ascii_case(VCENTER_USER) || password != DEMO_PASSWORD {
        return Err(Fault::new(
            "InvalidLogin",
            "Cannot complete login due to an incorrect user name or password.",
        ));
    }
    let id = super::session::open(s);
    let session = Val::Obj(
        "UserSession",
        vec![
            ("key", Val::str(&id)),
            ("userName", Val::str("VSPHERE.LOCAL\\Administrator")),
            ("fullName", Val::str("Administrator vsphere.local")),
            ("locale", Val::str("en")),
            ("messageLocale", Val::str("en")),
            ("extensionSession", Val::Bool(false)),
        ],
    );
    Ok((id, session))
}
