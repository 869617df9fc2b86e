//! The detail pane's Links, as an operator reads them: rel, short media type, then the name or
//! the href. An href on the entity's own server is shown as its path (the server is said once,
//! in the section's title), and a path too long for the pane wraps after a `/` instead of
//! being cut at the edge. The full hrefs stay in the raw view (`x`) and the copy menu (`y`).

use unicode_width::UnicodeWidthStr;

use crate::api::model::{Details, Link};

/// The widest the rel column gets.
const REL_MAX: usize = 32;

/// `scheme://host[:port]` of a URL; None for anything else (a moid, a URN).
pub fn origin(url: &str) -> Option<&str> {
    let after = url.find("://")? + 3;
    let end = url[after..].find('/').map_or(url.len(), |i| after + i);
    (end > after).then(|| &url[..end])
}

/// The server the entity's links are shown relative to: its own href's.
pub fn links_origin(d: &Details) -> Option<String> {
    let id = d.node.id.as_str();
    origin(&id).map(str::to_string)
}

/// The section's title: where the paths below are.
pub fn links_title(d: &Details) -> String {
    match links_origin(d) {
        Some(o)
            if d.links
                .iter()
                .any(|l| l.name.is_empty() && l.href.starts_with(&o)) =>
        {
            format!("Links (paths on {o})")
        }
        _ => "Links".to_string(),
    }
}

/// The last part of a media type (`application/vnd.vmware.vcloud.vm+xml`: `vm`).
pub fn short_type(media_type: &str) -> &str {
    let s = media_type.rsplit('.').next().unwrap_or(media_type);
    s.split('+').next().unwrap_or(s)
}

/// (rel, type) column widths of the links.
pub fn link_widths(links: &[Link]) -> (usize, usize) {
    let rel = links.iter().map(|l| l.rel.width()).max().unwrap_or(0);
    let ty = (links.iter())
        .map(|l| short_type(&l.media_type).width())
        .max()
        .unwrap_or(0);
    (rel.min(REL_MAX), ty)
}

/// What a link shows after its type: its name, else its href (a path on the entity's server).
pub fn link_text<'a>(l: &'a Link, origin: Option<&str>) -> &'a str {
    if !l.name.is_empty() {
        return &l.name;
    }
    match origin.and_then(|o| l.href.strip_prefix(o)) {
        Some(path) if path.starts_with('/') => path,
        _ => &l.href,
    }
}

/// Where an id or a path is broken when it is wider than a line, strongest first: between a
/// path's segments or a metric key's (Aria Operations' `summary|guest|toolsVersionStatus2`),
/// between an urn's parts (`urn:vcloud:vm:` over its UUID), between a UUID's or a name's
/// groups.
const BREAKS: [&[char]; 3] = [&['/', '|'], &[':'], &['-', '.', '_']];

/// `text` in lines of at most `width` columns, each broken after the last of the strongest
/// `BREAKS` found in it (a path reads in its segments, an urn's UUID whole where it fits, else
/// in its groups), else where the line is full. A URL's scheme and host stay on one line
/// (`https://vcd.example.com/`) where they fit: `https://` alone named no server. A text that
/// fits is one line.
pub fn wrap_path(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut rest = text;
    // Where the first line may end at the earliest: after the origin and the `/` after it,
    // else (an origin wider than the line) inside the host, not right after the scheme.
    let (head, scheme) = match origin(text) {
        Some(o) => (
            o.len() + usize::from(text[o.len()..].starts_with('/')),
            text.find("://").map_or(0, |i| i + 4),
        ),
        None => (0, 0),
    };
    while rest.width() > width {
        // The longest prefix that fits, in characters.
        let mut fit = 0;
        let mut w = 0;
        for (i, ch) in rest.char_indices() {
            let cw = unicode_width::UnicodeWidthChar::width(ch).unwrap_or(0);
            if w + cw > width {
                break;
            }
            w += cw;
            fit = i + ch.len_utf8();
        }
        if fit == 0 {
            break;
        }
        let min = match out.is_empty() {
            false => 0,
            true if head <= fit => head,
            true => scheme,
        };
        let cut = BREAKS
            .iter()
            .find_map(|b| rest[..fit].rfind(*b).filter(|&i| i > 0 && i + 1 >= min))
            .map_or(fit, |i| i + 1);
        out.push(rest[..cut].to_string());
        rest = &rest[cut..];
    }
    out.push(rest.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(rel: &str, href: &str) -> Link {
        Link {
            rel: rel.into(),
            media_type: "application/vnd.vmware.vcloud.vm+xml".into(),
            href: href.into(),
            name: String::new(),
        }
    }

    #[test]
    fn an_href_on_the_entitys_server_reads_as_its_path() {
        let o = origin("https://vcd.example.com:8443/api/vApp/vm-1");
        assert_eq!(o, Some("https://vcd.example.com:8443"));
        let own = link("up", "https://vcd.example.com:8443/api/vApp/vapp-2");
        assert_eq!(link_text(&own, o), "/api/vApp/vapp-2");
        // Another server, or a host that only begins the same, keeps its whole href.
        let other = link("alternate", "https://vc.example.com/sdk");
        assert_eq!(link_text(&other, o), "https://vc.example.com/sdk");
        let lookalike = link("x", "https://vcd.example.com:84430/api");
        assert_eq!(
            link_text(&lookalike, o),
            "https://vcd.example.com:84430/api"
        );
        assert_eq!(origin("vm/vm-42"), None);
        assert_eq!(origin("https://"), None);
    }

    #[test]
    fn a_long_path_wraps_after_a_slash_and_loses_nothing() {
        let path = "/api/vApp/vm-676d0099-c0b4-4b8e-9e0e-6f9b1c2d3e4f/power/action/powerOff";
        let lines = wrap_path(path, 40);
        assert_eq!(
            lines,
            [
                "/api/vApp/",
                "vm-676d0099-c0b4-4b8e-9e0e-6f9b1c2d3e4f/",
                "power/action/powerOff"
            ]
        );
        assert_eq!(lines.concat(), path);
        assert!(lines.iter().all(|l| l.width() <= 40));
        // No slash to break at: full lines.
        assert_eq!(wrap_path("abcdefgh", 3), ["abc", "def", "gh"]);
        // An urn keeps its UUID whole where it fits, else breaks between its groups.
        let urn = "urn:vcloud:vm:7aaf88b6-a0fc-45b3-8454-f9b6c0b13e4e";
        assert_eq!(
            wrap_path(urn, 40),
            ["urn:vcloud:vm:", "7aaf88b6-a0fc-45b3-8454-f9b6c0b13e4e"]
        );
        assert_eq!(
            wrap_path(urn, 24),
            ["urn:vcloud:vm:", "7aaf88b6-a0fc-45b3-8454-", "f9b6c0b13e4e"]
        );
        assert_eq!(wrap_path(urn, 50), [urn], "what fits stays whole");
        assert_eq!(wrap_path("", 3), [""]);
        assert_eq!(wrap_path("/a/b", 0).concat(), "/a/b");
    }

    /// An alert's symptom names the metric it tests: its key broke mid-word at 80 columns
    /// ("…toolsVersionSt" over "atus2)").
    #[test]
    fn a_metric_key_breaks_between_its_parts() {
        assert_eq!(
            wrap_path("(summary|guest|toolsVersionStatus2", 28),
            ["(summary|guest|", "toolsVersionStatus2"]
        );
        // A part wider than the line alone is cut where it must be.
        assert_eq!(
            wrap_path("cpu|capacity_contentionPct", 12),
            ["cpu|", "capacity_", "contentionPc", "t"]
        );
    }

    /// At 80 columns a link to another server wrapped "https://" alone on its line.
    #[test]
    fn a_url_keeps_its_scheme_and_host_together() {
        let href = "https://vc.example.com/sdk/vimService/vm-42/snapshot/tree/latest";
        assert_eq!(
            wrap_path(href, 30),
            [
                "https://vc.example.com/sdk/",
                "vimService/vm-42/snapshot/",
                "tree/latest"
            ]
        );
        // With a port, the `:` before it is no break either.
        let port = "https://vcd.example.com:8443/api/vApp/vm-1";
        assert_eq!(
            wrap_path(port, 32),
            ["https://vcd.example.com:8443/", "api/vApp/vm-1"]
        );
        // Just the origin and its slash fit: the path goes on below it.
        assert_eq!(
            wrap_path("https://a.example/bcdefghij", 18),
            ["https://a.example/", "bcdefghij"]
        );
        // An origin wider than the line (a vCD VM's vCenter, "(http://127.0.0.1:37841)", in
        // a value column of 22) breaks inside the host, never after the scheme alone.
        assert_eq!(
            wrap_path("(http://127.0.0.1:37841)", 22),
            ["(http://127.0.0.1:", "37841)"]
        );
        let long = "https://a-very-long-host-name.example.com/x";
        let lines = wrap_path(long, 20);
        assert_eq!(
            lines,
            ["https://a-very-long-", "host-name.example.", "com/x"]
        );
        assert!(lines.iter().all(|l| l.width() <= 20));
    }
}
