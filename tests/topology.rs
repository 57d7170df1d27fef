//! Topology import against the real public samples in `../shared/fixtures/topology/` (read
//! in place, never copied; when absent a failure under CI=true, elsewhere a skip named after the
//! test summary), against the same files
//! re-encoded at run time (UTF-16 LE/BE with BOM, CRLF, UTF-8 without BOM), against our own
//! written fixture with a Persistent Chat pool, and against hostile XML. Also: merging into a
//! profile keeps what the admin wrote, profile errors name file:line:column, and the
//! `topology import` command end to end.

use std::path::{Path, PathBuf};

use pchat_migrate::deployment::topology::{
    self, Limits, MAX_BYTES, TopologyError, TopologyFormat, TopologyImport, import,
    import_with_limits, merge_into_toml,
};
use pchat_migrate::deployment::{PoolKind, Profile, ProfileError};

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/topology");
const OWN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/topology");

#[path = "common/external.rs"]
mod external;

/// A shared fixture's bytes, or `None` when the folder is absent (a failure under CI=true,
/// otherwise a skip named after the test summary).
fn shared(name: &str) -> Option<Vec<u8>> {
    let dir = Path::new(SHARED);
    if !external::available(
        dir,
        "../shared/fixtures/topology",
        "the project's shared folder",
    ) {
        return None;
    }
    Some(std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn own(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(OWN).join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn note_with<'a>(t: &'a TopologyImport, needle: &str) -> Option<&'a String> {
    t.notes.iter().find(|n| n.contains(needle))
}

// ---- re-encodings made at run time --------------------------------------------------------

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(b)
}

fn to_crlf(b: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(strip_bom(b)).unwrap();
    text.replace("\r\n", "\n")
        .replace('\n', "\r\n")
        .into_bytes()
}

/// UTF-16 with BOM, CRLF line ends and an `encoding="utf-16"` declaration, as Windows
/// PowerShell's `Out-File` writes it.
fn to_utf16(b: &[u8], big_endian: bool) -> Vec<u8> {
    let crlf = to_crlf(b);
    let text = String::from_utf8(crlf)
        .unwrap()
        .replace("encoding=\"utf-8\"", "encoding=\"utf-16\"");
    let mut out = if big_endian {
        vec![0xFE, 0xFF]
    } else {
        vec![0xFF, 0xFE]
    };
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

/// Every variant of one document must yield the same findings.
fn assert_variants_agree(name: &str, bytes: &[u8]) -> TopologyImport {
    let base = import(bytes, name).unwrap();
    let variants: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        ("CRLF", to_crlf(bytes), "UTF-8", "CRLF"),
        ("UTF-16 LE", to_utf16(bytes, false), "UTF-16 LE", "CRLF"),
        ("UTF-16 BE", to_utf16(bytes, true), "UTF-16 BE", "CRLF"),
        ("no BOM", strip_bom(bytes).to_vec(), "UTF-8", "LF"),
    ];
    for (label, b, enc, le) in variants {
        let v = import(&b, name).unwrap_or_else(|e| panic!("{name} as {label}: {e}"));
        assert_eq!(v.encoding, enc, "{name} as {label}");
        assert_eq!(v.line_endings, le, "{name} as {label}");
        assert_eq!(v.format, base.format, "{name} as {label}");
        assert_eq!(v.sites, base.sites, "{name} as {label}");
        assert_eq!(v.pools, base.pools, "{name} as {label}");
        assert_eq!(v.sql_instances, base.sql_instances, "{name} as {label}");
        assert_eq!(v.file_stores, base.file_stores, "{name} as {label}");
        assert_eq!(v.sip_domains, base.sip_domains, "{name} as {label}");
        assert_eq!(v.notes[1..], base.notes[1..], "{name} as {label}");
    }
    base
}

// ---- the public samples ---------------------------------------------------------------------

#[test]
fn published_sample_pools_servers_roles_ports_sql_and_no_pchat() {
    let Some(bytes) = shared("published-single-pool.xml") else {
        return;
    };
    let t = import(&bytes, "published-single-pool.xml").unwrap();
    assert_eq!(t.format, TopologyFormat::Published);
    assert_eq!(t.encoding, "UTF-8");
    assert_eq!(t.line_endings, "LF");
    assert_eq!(t.default_domain.as_deref(), Some("tenant.rlevchenko.com"));
    assert_eq!(t.sip_domains, vec!["tenant.rlevchenko.com"]);
    assert_eq!(t.sites.len(), 1);
    assert_eq!(
        (t.sites[0].site_id, t.sites[0].name.as_str()),
        (1, "Tenant")
    );
    let fqdns: Vec<&str> = t.pools.iter().map(|p| p.fqdn.as_str()).collect();
    assert_eq!(
        fqdns,
        [
            "poolfe.tenant.rlevchenko.com",
            "srv-sql-01.tenant.rlevchenko.com",
            "tenant.rlevchenko.com",
            "srv-owa-01.tenant.rlevchenko.com"
        ]
    );
    let fe = t.pool("poolfe.tenant.rlevchenko.com").unwrap();
    assert_eq!(fe.kinds, vec![PoolKind::Lync2013FrontEnd]);
    assert_eq!(fe.servers, vec!["SKYPE-FE-01.tenant.rlevchenko.com"]);
    assert_eq!(
        fe.roles,
        [
            "ApplicationServer",
            "CentralMgmt",
            "ConfServices",
            "Registrar",
            "UserServices",
            "WebServices"
        ]
    );
    let ports = fe.port_numbers();
    for p in [5061, 443, 444, 5095, 5096, 9001] {
        assert!(ports.contains(&p), "port {p} in {ports:?}");
    }
    assert!(
        fe.ports
            .iter()
            .any(|p| p.role == "Registrar" && p.port == 5061 && p.protocol == "Mtls")
    );
    assert_eq!(
        fe.sql_instance.as_deref(),
        Some("srv-sql-01.tenant.rlevchenko.com")
    );
    assert_eq!(
        fe.file_store.as_deref(),
        Some("\\\\tenant.rlevchenko.com\\skype")
    );
    // port 5095 (PersistentChatWebManager on the Front End) must not make it a chat pool
    assert!(!fe.is_pchat());
    let owa = t.pool("srv-owa-01.tenant.rlevchenko.com").unwrap();
    assert_eq!(owa.roles, ["WacService"]);
    assert!(owa.kinds.is_empty());

    assert_eq!(t.sql_instances.len(), 1);
    let sql = &t.sql_instances[0];
    assert_eq!(sql.instance, "srv-sql-01.tenant.rlevchenko.com");
    assert_eq!(sql.name, "");
    assert_eq!(
        sql.always_on_primary.as_deref(),
        Some("srv-sql-01.tenant.rlevchenko.com")
    );
    assert_eq!(
        sql.stores,
        ["UserStore", "ApplicationStore", "CentralMgmtStore"]
    );
    assert_eq!(t.file_stores.len(), 1);
    assert_eq!(t.file_stores[0].unc, "\\\\tenant.rlevchenko.com\\skype");

    assert_eq!(t.pchat_pools().count(), 0);
    let n = note_with(&t, "no Persistent Chat pool").expect("the no-PChat finding");
    assert!(n.contains("the Build the target stage is not done"), "{n}");
    let n = note_with(&t, "no legacy Group Chat pool").expect("the no-legacy finding");
    assert!(
        n.contains("trusted application pool outside the topology"),
        "{n}"
    );
    assert!(n.contains("Get-CsTrustedApplicationPool"), "{n}");
    assert!(note_with(&t, "no Lync Server 2013 Front End pool").is_none());
}

#[test]
fn builder_sample_pools_servers_roles_ports_sql_and_no_pchat() {
    let Some(bytes) = shared("builder-contoso.tbxml") else {
        return;
    };
    let t = import(&bytes, "builder-contoso.tbxml").unwrap();
    assert_eq!(t.format, TopologyFormat::TopologyBuilder);
    assert_eq!(t.encoding, "UTF-8 with BOM");
    assert_eq!(t.default_domain.as_deref(), Some("contoso.com"));
    assert_eq!(t.sites.len(), 1);
    assert_eq!(
        (t.sites[0].site_id, t.sites[0].name.as_str()),
        (1, "Contoso")
    );
    assert_eq!(t.pools.len(), 6);
    let fe = t.pool("frontendpool.contoso.com").unwrap();
    assert_eq!(fe.kinds, vec![PoolKind::Lync2013FrontEnd]);
    assert_eq!(
        fe.servers,
        [
            "xfrontend1.contoso.com",
            "xfrontend2.contoso.com",
            "xfrontend3.contoso.com",
            "xfrontend4.contoso.com"
        ]
    );
    for r in [
        "Registrar",
        "UserServices",
        "WebServices",
        "ConfServices",
        "MediationServer",
        "ApplicationServer",
    ] {
        assert!(fe.roles.iter().any(|x| x == r), "{r} in {:?}", fe.roles);
    }
    assert!(fe.port_numbers().contains(&5061));
    assert_eq!(fe.site.as_deref(), Some("Contoso"));
    assert_eq!(fe.sql_instance.as_deref(), Some("xSQL1.contoso.com"));
    assert_eq!(
        fe.file_store.as_deref(),
        Some("\\\\xFile1.contoso.com\\Data1")
    );
    let edge = t.pool("edgepool.contoso.com").unwrap();
    assert_eq!(edge.servers.len(), 3);
    assert_eq!(edge.roles, ["EdgeServer", "ManagementServices"]);
    assert!(edge.kinds.is_empty());
    assert!(edge.port_numbers().contains(&3478));
    // a single-machine cluster without a Machine FQDN is its own server
    let sql_host = t.pool("xSQL1.contoso.com").unwrap();
    assert_eq!(sql_host.servers, ["xSQL1.contoso.com"]);

    assert_eq!(t.sql_instances.len(), 1);
    assert_eq!(t.sql_instances[0].instance, "xSQL1.contoso.com");
    assert_eq!(
        t.sql_instances[0].stores,
        [
            "UserStore",
            "ApplicationStore",
            "ArchivingStore",
            "MonitoringStore"
        ]
    );
    let uncs: Vec<&str> = t.file_stores.iter().map(|f| f.unc.as_str()).collect();
    assert_eq!(
        uncs,
        [
            "\\\\xFile1.contoso.com\\Data1",
            "\\\\xFile2.contoso.com\\Data2"
        ]
    );
    assert_eq!(t.pchat_pools().count(), 0);
    assert!(
        note_with(
            &t,
            "no Persistent Chat pool: the Build the target stage is not done"
        )
        .is_some()
    );
}

#[test]
fn samples_read_the_same_in_utf16_le_be_crlf_and_without_bom() {
    for name in ["published-single-pool.xml", "builder-contoso.tbxml"] {
        let Some(bytes) = shared(name) else {
            return;
        };
        let t = assert_variants_agree(name, &bytes);
        assert!(t.frontend_pools().count() == 1, "{name}");
    }
}

// ---- our own fixture with a Persistent Chat pool --------------------------------------------

#[test]
fn written_fixture_pchat_pool_is_recognised() {
    let bytes = own("published-pchat.xml");
    let t = assert_variants_agree("published-pchat.xml", &bytes);
    let pchat: Vec<_> = t.pchat_pools().collect();
    assert_eq!(pchat.len(), 1, "{:#?}", t.pools);
    let p = pchat[0];
    assert_eq!(p.fqdn, "pchatpool.contoso.com");
    assert_eq!(p.kinds, vec![PoolKind::Lync2013PersistentChat]);
    assert_eq!(p.servers, ["pchat01.contoso.com", "pchat02.contoso.com"]);
    assert_eq!(p.roles, ["PersistentChatService"]);
    assert_eq!(p.port_numbers(), [443, 881, 5041]);
    assert!(p.recognized_by.iter().any(|r| r.contains("PersistentChat")));
    assert!(p.recognized_by.iter().any(|r| r.contains("5041")));
    assert_eq!(
        p.sql_instance.as_deref(),
        Some("pchatsql.contoso.com\\PCHAT")
    );
    assert_eq!(
        p.compliance_sql_instance.as_deref(),
        Some("pchatsql.contoso.com\\PCHAT")
    );
    assert_eq!(
        p.file_store.as_deref(),
        Some("\\\\lyncfs01.contoso.com\\LyncShare")
    );
    assert_eq!(p.next_hop.as_deref(), Some("lyncpool.contoso.com"));
    let fe = t.pool("lyncpool.contoso.com").unwrap();
    assert_eq!(fe.kinds, vec![PoolKind::Lync2013FrontEnd]);
    assert!(
        fe.recognized_by
            .iter()
            .any(|r| r.contains("ServiceVersion 6"))
    );
    let sql = t
        .sql_instances
        .iter()
        .find(|s| s.instance == "pchatsql.contoso.com\\PCHAT")
        .unwrap();
    assert_eq!(
        sql.stores,
        ["PersistentChatStore", "PersistentChatComplianceStore"]
    );
    assert!(
        note_with(&t, "no Persistent Chat pool").is_none(),
        "{:#?}",
        t.notes
    );
    assert!(note_with(&t, "Persistent Chat pool pchatpool.contoso.com").is_some());

    // as profile pools: documented database names, the PChat port first
    let pools = t.profile_pools();
    let pp = pools
        .iter()
        .find(|p| p.kind == PoolKind::Lync2013PersistentChat)
        .unwrap();
    assert_eq!(pp.ports, [5041, 443, 881]);
    assert_eq!(pp.database.as_deref(), Some("mgc"));
    assert_eq!(pp.compliance_database.as_deref(), Some("mgccomp"));
    assert_eq!(pp.home_pool.as_deref(), Some("lyncpool.contoso.com"));
    let fp = pools
        .iter()
        .find(|p| p.kind == PoolKind::Lync2013FrontEnd)
        .unwrap();
    assert_eq!(fp.ports, [5061, 443]);
}

const TINY_HEAD: &str = r#"<Topology xmlns="urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008">
  <Sites><CentralSite SiteId="1"><Name>S</Name></CentralSite></Sites>
  <Clusters>
    <Cluster Fqdn="box.contoso.com"><ClusterId SiteId="1" Number="1" />
      <Machine OrdinalInCluster="1" Fqdn="box.contoso.com" /></Cluster>
  </Clusters>
  <Services>"#;

fn tiny(services: &str) -> String {
    format!("{TINY_HEAD}{services}</Services></Topology>")
}

fn service(role: &str, version: u32, port: Option<u16>) -> String {
    let ports = port.map_or(String::new(), |p| {
        format!(r#"<Ports><Port Owner="urn:component:X" Usage="SipServer" InterfaceSide="Primary" Port="{p}" Protocol="Mtls" /></Ports>"#)
    });
    format!(
        r#"<Service RoleVersion="1" ServiceVersion="{version}"><ServiceId SiteId="1" RoleName="{role}" Instance="1" />
        <InstalledOn><ClusterId SiteId="1" Number="1" /></InstalledOn>{ports}</Service>"#
    )
}

#[test]
fn pchat_pool_recognised_by_port_5041_alone_with_a_note() {
    let t = import(
        tiny(&service("ChatThing", 6, Some(5041))).as_bytes(),
        "t.xml",
    )
    .unwrap();
    let p = t.pool("box.contoso.com").unwrap();
    assert!(p.is_pchat());
    assert!(p.recognized_by.iter().any(|r| r.contains("5041")));
    assert!(
        note_with(&t, "by port 5041 alone").is_some(),
        "{:#?}",
        t.notes
    );
    // and a PersistentChat role without 5041 is recognised too, with the port noted
    let t = import(
        tiny(&service("PersistentChatService", 6, Some(6000))).as_bytes(),
        "t.xml",
    )
    .unwrap();
    assert!(t.pool("box.contoso.com").unwrap().is_pchat());
    assert!(
        note_with(&t, "has no port 5041").is_some(),
        "{:#?}",
        t.notes
    );
    // a store role alone does not make a chat pool
    let t = import(
        tiny(&service("PersistentChatStore", 6, None)).as_bytes(),
        "t.xml",
    )
    .unwrap();
    assert!(!t.pool("box.contoso.com").unwrap().is_pchat());
}

#[test]
fn standard_edition_with_collocated_pchat_is_both_and_merges_as_two_pools() {
    let services = [
        service("Registrar", 6, Some(5061)),
        service("UserServices", 6, None),
        service("PersistentChatService", 6, Some(5041)),
    ]
    .concat();
    let t = import(tiny(&services).as_bytes(), "se.xml").unwrap();
    let p = t.pool("box.contoso.com").unwrap();
    assert_eq!(
        p.kinds,
        vec![PoolKind::Lync2013FrontEnd, PoolKind::Lync2013PersistentChat]
    );
    let mut profile = Profile::lab();
    let r = t.merge_into(&mut profile);
    assert_eq!(r.added.len(), 2, "{r:#?}");
    let text = profile.to_toml().unwrap();
    Profile::parse(&text, Path::new("merged.toml")).expect("two kinds on one FQDN validate");
}

#[test]
fn front_end_product_from_service_version_and_directors() {
    let t = import(
        tiny(&service("Registrar", 5, Some(5061))).as_bytes(),
        "t.xml",
    )
    .unwrap();
    assert_eq!(
        t.pool("box.contoso.com").unwrap().kinds,
        vec![PoolKind::Lync2010FrontEnd]
    );
    assert!(note_with(&t, "no Lync Server 2013 Front End pool").is_some());
    let director = tiny(
        r#"<Service ServiceVersion="6"><ServiceId SiteId="1" RoleName="Registrar" Instance="1" />
        <InstalledOn><ClusterId SiteId="1" Number="1" /></InstalledOn>
        <RegistrarService IsDirector="true" /></Service>"#,
    );
    let t = import(director.as_bytes(), "d.xml").unwrap();
    assert!(t.pool("box.contoso.com").unwrap().kinds.is_empty());
    assert!(note_with(&t, "Director").is_some());
}

// ---- hostile XML ---------------------------------------------------------------------------

#[test]
fn dtd_is_refused_with_its_position() {
    let doc = "<?xml version=\"1.0\"?>\n<!DOCTYPE Topology>\n<Topology xmlns=\"urn:schema:Microsoft.Rtc.Management.Deploy.Topology.2008\"/>";
    let e = import(doc.as_bytes(), "dtd.xml").unwrap_err();
    assert!(matches!(e, TopologyError::Dtd { line: 2, .. }), "{e:?}");
    let msg = e.to_string();
    assert!(msg.starts_with("dtd.xml:2:"), "{msg}");
    assert!(msg.contains("DTD"), "{msg}");
    // an external DTD too
    let doc = "<!DOCTYPE Topology SYSTEM \"file:///etc/passwd\"><Topology/>";
    let e = import(doc.as_bytes(), "ext.xml").unwrap_err();
    assert!(matches!(e, TopologyError::Dtd { .. }), "{e:?}");
}

#[test]
fn entity_declarations_and_undefined_entities_are_refused() {
    let lol = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<Topology><InternalDomains DefaultDomain="&lol3;"/></Topology>"#;
    let e = import(lol.as_bytes(), "lol.xml").unwrap_err();
    assert!(
        matches!(e, TopologyError::EntityDeclaration { line: 2, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("declares entities"), "{e}");
    let xxe = r#"<!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Topology/>"#;
    assert!(matches!(
        import(xxe.as_bytes(), "xxe.xml").unwrap_err(),
        TopologyError::EntityDeclaration { .. }
    ));
    // a reference to an entity nobody declared, in an attribute and in text
    let attr = "<Topology>\n  <InternalDomains DefaultDomain=\"&xxe;\"/>\n</Topology>";
    let e = import(attr.as_bytes(), "ref.xml").unwrap_err();
    assert!(
        matches!(&e, TopologyError::Entity { name, line: 2, .. } if name == "xxe"),
        "{e:?}"
    );
    let text = "<Topology><Sites><CentralSite SiteId=\"1\"><Name>a&ent;b</Name></CentralSite></Sites></Topology>";
    let e = import(text.as_bytes(), "text.xml").unwrap_err();
    assert!(
        matches!(&e, TopologyError::Entity { name, .. } if name == "ent"),
        "{e:?}"
    );
    // the predefined ones are fine
    let ok = "<Topology><Sites><CentralSite SiteId=\"1\"><Name>R&amp;D &#233;</Name></CentralSite></Sites></Topology>";
    let t = import(ok.as_bytes(), "ok.xml").unwrap();
    assert_eq!(t.sites[0].name, "R&D é");
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 300;
    let mut doc = String::from("<Topology>");
    for _ in 0..depth {
        doc.push_str("<a>");
    }
    for _ in 0..depth {
        doc.push_str("</a>");
    }
    doc.push_str("</Topology>");
    let e = import(doc.as_bytes(), "deep.xml").unwrap_err();
    assert!(
        matches!(e, TopologyError::TooDeep { limit: 256, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("deeper than 256"), "{e}");
    // within the limit it reads
    let limits = Limits {
        max_depth: 400,
        ..Limits::default()
    };
    import_with_limits(doc.as_bytes(), "deep.xml", &limits).unwrap();
}

#[test]
fn oversize_input_is_refused_before_reading() {
    let doc = tiny(&service("Registrar", 6, Some(5061)));
    let limits = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    let e = import_with_limits(doc.as_bytes(), "big.xml", &limits).unwrap_err();
    assert!(
        matches!(e, TopologyError::TooLarge { limit: 100, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("over the 100-byte limit"), "{e}");
    // the real limit, on a sparse file just over 100 MiB: refused from its size, unread
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.xml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(MAX_BYTES + 1).unwrap();
    drop(f);
    let e = topology::import_file(&path, &Limits::default()).unwrap_err();
    assert!(
        matches!(e, TopologyError::TooLarge { size, .. } if size == MAX_BYTES + 1),
        "{e:?}"
    );
}

#[test]
fn not_a_topology_malformed_and_bad_encoding_are_clear() {
    let e = import(b"<html><body/></html>", "page.html").unwrap_err();
    assert!(e.to_string().contains("root element is <html>"), "{e}");
    let e = import(b"<Topology>\n<Sites>\n</Topology>", "bad.xml").unwrap_err();
    assert!(matches!(e, TopologyError::Xml { line: 3, .. }), "{e:?}");
    assert!(e.to_string().starts_with("bad.xml:3:"), "{e}");
    let e = import(b"", "empty.xml").unwrap_err();
    assert!(matches!(e, TopologyError::Empty { .. }), "{e:?}");
    let e = import(&[0x3C, 0x54, 0xFF, 0xFF, 0x3E], "latin.xml").unwrap_err();
    assert!(matches!(e, TopologyError::Encoding { .. }), "{e:?}");
    let e = import(&[0xFF, 0xFE, 0x3C], "odd.xml").unwrap_err();
    assert!(e.to_string().contains("odd number of bytes"), "{e}");
}

// ---- merging into a profile ------------------------------------------------------------------

const ADMIN_PROFILE: &str = r#"# Contoso production — written by hand.
name = "Contoso"
kind = "production"
sip_domain = "contoso.com"

[[sites]]
name = "Redmond"

# the legacy pool: a trusted application pool, added by hand
[[pools]]
id = "legacy-gc"
kind = "lync2010-groupchat"
fqdn = "gcpool.contoso.com"
servers = ["gc01.contoso.com"]
lookup_uri = "sip:ocschat@contoso.com"

# the target, as we planned it before publishing
[[pools]]
id = "target"
kind = "lync2013-persistentchat"
fqdn = "PChatPool.contoso.com"
servers = ["pchat01.contoso.com"] # only one planned at first
ports = [5041, 8011]
database = "mgc"
legacy_endpoint = { created = false, ocschat_user_exists = true }

[migration]
export_level = "All"
test_room = "Migration Test Room"

[[users]]
sip = "sip:alice@contoso.com"
pool = "lyncpool.contoso.com"
pchat_policy = true
client = "lync2013"

[[clients]]
name = "Trading floor"
kind = "lync2010-groupchat"
count = 120
"#;

#[test]
fn merge_keeps_what_the_admin_wrote_and_adds_what_the_topology_has() {
    let t = import(&own("published-pchat.xml"), "published-pchat.xml").unwrap();
    let path = Path::new("contoso.toml");
    let before = Profile::parse(ADMIN_PROFILE, path).unwrap();
    let (text, report) = merge_into_toml(&t, ADMIN_PROFILE, path).unwrap();
    let after = Profile::parse(&text, path).unwrap();

    // comments and hand-written entries survive
    for kept in [
        "# Contoso production — written by hand.",
        "# the legacy pool: a trusted application pool, added by hand",
        "# the target, as we planned it before publishing",
        "# only one planned at first",
    ] {
        assert!(text.contains(kept), "lost {kept:?}:\n{text}");
    }
    assert_eq!(after.users, before.users);
    assert_eq!(after.clients, before.clients);
    assert_eq!(after.migration, before.migration);
    assert_eq!(after.name, "Contoso");
    assert_eq!(
        after.pools[0], before.pools[0],
        "the hand-added legacy pool"
    );

    // the planned PChat pool is updated by FQDN (any case), keeping id, kind, database, facts
    let p = after.pchat_pool().unwrap();
    assert_eq!(p.id, "target");
    assert_eq!(p.fqdn, "PChatPool.contoso.com");
    assert_eq!(p.servers, ["pchat01.contoso.com", "pchat02.contoso.com"]);
    assert_eq!(
        p.ports,
        [5041, 8011, 443, 881],
        "ports are merged, not replaced"
    );
    assert_eq!(
        p.sql_instance.as_deref(),
        Some("pchatsql.contoso.com\\PCHAT")
    );
    assert_eq!(p.database.as_deref(), Some("mgc"));
    assert_eq!(p.compliance_database.as_deref(), Some("mgccomp"));
    assert_eq!(p.home_pool.as_deref(), Some("lyncpool.contoso.com"));
    assert_eq!(p.site, "Redmond");
    assert_eq!(
        p.legacy_endpoint,
        before.pchat_pool().unwrap().legacy_endpoint
    );
    // the Front End pool is added
    let fe = after.frontend_pool().unwrap();
    assert_eq!(fe.fqdn, "lyncpool.contoso.com");
    assert_eq!(fe.id, "fe2013");
    assert_eq!(fe.servers.len(), 3);
    // Redmond existed without an id: it gets one, no second site
    assert_eq!(after.sites.len(), 1);
    assert_eq!(after.sites[0].site_id, 1);
    assert_eq!(report.added, ["lyncpool.contoso.com"]);
    assert_eq!(report.updated, ["PChatPool.contoso.com"]);
    assert!(
        report.changes.iter().any(|c| c.contains("servers")),
        "{report:#?}"
    );
    // a second merge changes nothing
    let (again, report2) = merge_into_toml(&t, &text, path).unwrap();
    assert_eq!(again, text);
    assert!(report2.is_empty(), "{report2:#?}");
}

#[test]
fn merge_into_the_lab_profile_adds_pools_and_keeps_placeholders_working() {
    let t = import(&own("published-pchat.xml"), "published-pchat.xml").unwrap();
    let mut lab = Profile::lab();
    let users = lab.users.clone();
    let r = t.merge_into(&mut lab);
    assert_eq!(r.added.len(), 2);
    assert_eq!(lab.users, users);
    // the lab's own pools still win for the placeholders (first of each kind)
    assert_eq!(lab.pchat_pool().unwrap().fqdn, "pchatpool.contoso.lab");
    let ids: std::collections::BTreeSet<_> = lab.pools.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), lab.pools.len(), "fresh ids");
}

// ---- profile errors ----------------------------------------------------------------------------

fn position(e: &ProfileError) -> (usize, usize) {
    match e {
        ProfileError::Parse { line, column, .. } | ProfileError::Entry { line, column, .. } => {
            (*line, *column)
        }
        other => panic!("no position: {other}"),
    }
}

#[test]
fn profile_errors_name_file_line_and_column() {
    let path = Path::new("/etc/pchat/contoso.toml");
    // an unknown client kind (schema error)
    let bad_client = ADMIN_PROFILE.replace("client = \"lync2013\"", "client = \"lync2099\"");
    let e = Profile::parse(&bad_client, path).unwrap_err();
    let line = bad_client
        .lines()
        .position(|l| l.contains("lync2099"))
        .unwrap()
        + 1;
    assert_eq!(position(&e).0, line, "{e}");
    assert!(
        e.to_string()
            .starts_with(&format!("/etc/pchat/contoso.toml:{line}:")),
        "{e}"
    );
    assert!(e.to_string().contains("docs/profile.md"), "{e}");
    // a duplicate pool id: the second one is named
    let dup = ADMIN_PROFILE.replace("id = \"target\"", "id = \"legacy-gc\"");
    let e = Profile::parse(&dup, path).unwrap_err();
    let second = dup
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("id = \"legacy-gc\""))
        .nth(1)
        .unwrap()
        .0
        + 1;
    assert_eq!(position(&e), (second, 6), "{e}");
    assert!(e.to_string().contains("used twice"), "{e}");
    // a legacy endpoint on the wrong pool
    let wrong = ADMIN_PROFILE.replace(
        "lookup_uri = \"sip:ocschat@contoso.com\"",
        "lookup_uri = \"sip:ocschat@contoso.com\"\nlegacy_endpoint = { created = true }",
    );
    let e = Profile::parse(&wrong, path).unwrap_err();
    let line = wrong
        .lines()
        .position(|l| l.starts_with("legacy_endpoint = { created = true }"))
        .unwrap()
        + 1;
    assert_eq!(position(&e).0, line, "{e}");
    assert!(
        e.to_string()
            .contains("belongs on the Persistent Chat pool"),
        "{e}"
    );
    // a population without its kind
    let no_kind =
        ADMIN_PROFILE.replace("kind = \"lync2010-groupchat\"\ncount = 120", "count = 120");
    let e = Profile::parse(&no_kind, path).unwrap_err();
    assert!(e.to_string().contains("kind"), "{e}");
    assert!(position(&e).0 > 30, "{e}");
    // load() names the file it read
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.toml");
    std::fs::write(&file, &dup).unwrap();
    let e = Profile::load(&file).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}:{second}:6:", file.display())),
        "{e}"
    );
}

// ---- the command ---------------------------------------------------------------------------

#[test]
fn topology_import_command_parses_its_arguments() {
    use clap::Parser;
    use pchat_migrate::cli::{Cli, Command, TopologyAction};
    let cli = Cli::try_parse_from([
        "pchat-migrate",
        "topology",
        "import",
        "t.xml",
        "--merge-into",
        "p.toml",
        "--json",
    ])
    .unwrap();
    match cli.command {
        Some(Command::Topology {
            action:
                TopologyAction::Import {
                    file,
                    merge_into,
                    json,
                },
        }) => {
            assert_eq!(file, PathBuf::from("t.xml"));
            assert_eq!(merge_into, Some(PathBuf::from("p.toml")));
            assert!(json);
        }
        other => panic!("{other:?}"),
    }
    assert!(Cli::try_parse_from(["pchat-migrate", "topology", "import"]).is_err());
}

#[test]
fn topology_import_command_reports_merges_and_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = Path::new(OWN).join("published-pchat.xml");
    let profile = dir.path().join("contoso.toml");
    std::fs::write(&profile, ADMIN_PROFILE).unwrap();
    let out = topology::import_command(&fixture, Some(&profile), false).unwrap();
    assert!(
        out.contains("Persistent Chat pool pchatpool.contoso.com"),
        "{out}"
    );
    assert!(
        out.contains("  pchatpool.contoso.com  (site Redmond)  => lync2013-persistentchat"),
        "{out}"
    );
    assert!(
        out.contains(&format!("updated {}:", profile.display())),
        "{out}"
    );
    assert!(out.contains("added pool fe2013"), "{out}");
    let merged = Profile::load(&profile).unwrap();
    assert!(merged.frontend_pool().is_some());
    let again = topology::import_command(&fixture, Some(&profile), false).unwrap();
    assert!(again.contains("already up to date"), "{again}");

    // a new profile is created, and reads back
    let fresh = dir.path().join("new.toml");
    let out = topology::import_command(&fixture, Some(&fresh), true).unwrap();
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["merge"]["created"], true);
    let pools = v["import"]["pools"].as_array().unwrap();
    assert!(pools.iter().any(
        |p| p["fqdn"] == "pchatpool.contoso.com" && p["kinds"][0] == "lync2013-persistentchat"
    ));
    let created = Profile::load(&fresh).unwrap();
    assert_eq!(created.sip_domain, "contoso.com");
    assert_eq!(created.pchat_pool().unwrap().fqdn, "pchatpool.contoso.com");
    assert_eq!(
        created.frontend_pool().unwrap().fqdn,
        "lyncpool.contoso.com"
    );

    // a hostile file: the reason, and the profile untouched
    let evil = dir.path().join("evil.xml");
    std::fs::write(&evil, "<!DOCTYPE x [<!ENTITY a \"b\">]><Topology/>").unwrap();
    let before = std::fs::read_to_string(&profile).unwrap();
    let e = topology::import_command(&evil, Some(&profile), false).unwrap_err();
    assert!(e.contains("declares entities"), "{e}");
    assert_eq!(std::fs::read_to_string(&profile).unwrap(), before);
}
