//! `prices update` against a local HTTP server started by the test (in-process, on a loopback
//! port), serving pages the project wrote in the Retail Prices API's documented shape: every page
//! followed, the trap rows left out, a 429 waited out, a connection dropped mid-way leaving the
//! previous cache whole, and the cache used afterwards with no network.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::support::Env;

/// What the server does with one request.
enum Reply {
    Page(String),
    TooMany,
    Drop,
}

fn item(sku: &str, arm_sku: &str, product: &str, fields: &str) -> String {
    format!(
        r#"{{"currencyCode": "USD", "serviceName": "Virtual Machines", "productName": "{product}", "skuName": "{sku}",
            "meterName": "{sku}", "armSkuName": "{arm_sku}", "armRegionName": "swedencentral", "unitOfMeasure": "1 Hour",
            "type": "Consumption", "effectiveStartDate": "2026-01-01T00:00:00Z" {fields}}}"#
    )
}

fn page(items: &[String], next: Option<&str>) -> String {
    let next = next.map_or_else(|| "null".to_owned(), |n| format!("\"{n}\""));
    format!(
        r#"{{"BillingCurrency": "USD", "Items": [{}], "NextPageLink": {next}, "Count": {}}}"#,
        items.join(","),
        items.len()
    )
}

const DEFINITION: &str = "scaleSets:\n  - name: nordic\n    region: swedencentral\n    sku: Standard_D2ads_v5\n    \
                          capacity: 2\n    osDisk: { tier: P10 }\n    provisioningTime: 0s\n";

fn pages(base: &str) -> (String, String) {
    let vm = item("D2ads v5", "Standard_D2ads_v5", "Virtual Machines Dadsv5 Series", r#", "retailPrice": 0.113"#);
    let disk = r#"{"currencyCode": "USD", "serviceName": "Storage", "productName": "Premium SSD Managed Disks",
        "skuName": "P10 LRS", "meterName": "P10 LRS Disk", "armRegionName": "swedencentral", "unitOfMeasure": "1/Month",
        "type": "Consumption", "retailPrice": 20.28}"#
        .to_owned();
    // The traps: a reservation (its price is the whole term), a Low Priority row, DevTest.
    let reservation = item(
        "D2ads v5",
        "Standard_D2ads_v5",
        "Virtual Machines Dadsv5 Series",
        r#", "retailPrice": 500, "type": "Reservation", "reservationTerm": "1 Year""#,
    )
    .replacen(r#""type": "Consumption", "#, "", 1);
    let low = item(
        "D2ads v5 Low Priority",
        "Standard_D2ads_v5",
        "Virtual Machines Dadsv5 Series",
        r#", "retailPrice": 0.01"#,
    );
    let devtest = item(
        "D2ads v5",
        "Standard_D2ads_v5",
        "Virtual Machines Dadsv5 Series",
        r#", "retailPrice": 0.05, "type": "DevTestConsumption""#,
    )
    .replacen(r#""type": "Consumption", "#, "", 1);
    // Network meters: the load balancer's in region "Global", a public IP in the region; a
    // Basic IP and a free meter are left out.
    let network = |service: &str, product: &str, sku: &str, meter: &str, region: &str, unit: &str, price: &str| {
        format!(
            r#"{{"currencyCode": "USD", "serviceName": "{service}", "productName": "{product}", "skuName": "{sku}",
            "meterName": "{meter}", "armRegionName": "{region}", "unitOfMeasure": "{unit}", "type": "Consumption",
            "retailPrice": {price}}}"#
        )
    };
    let lb = network(
        "Load Balancer",
        "Load Balancer",
        "Standard",
        "Standard Included LB Rules and Outbound Rules",
        "Global",
        "1 Hour",
        "0.027",
    );
    let lb_free =
        network("Load Balancer", "Load Balancer", "Standard", "Standard Data Processed - Free", "Global", "1 GB", "0");
    let ip = network(
        "Virtual Network",
        "IP Addresses",
        "Standard",
        "Standard IPv4 Static Public IP",
        "swedencentral",
        "1 Hour",
        "0.0055",
    );
    let basic_ip = network(
        "Virtual Network",
        "IP Addresses",
        "Basic",
        "Basic IPv4 Static Public IP",
        "swedencentral",
        "1 Hour",
        "0.0036",
    );
    let first = page(&[reservation, vm, low], Some(&format!("{base}?page=2")));
    let second = page(&[devtest, disk, lb, lb_free, ip, basic_ip], None);
    (first, second)
}

#[test]
fn prices_update_follows_every_page_waits_out_a_429_and_the_cache_then_prices_offline() {
    let env = Env::with_definition(DEFINITION);
    // Before: a size and region the built-in catalog does not know.
    env.run(["validate"]).code(65).stderr_has("Standard_D2ads_v5");

    // The pages name the next page's address: the listener is bound first (and kept, so no
    // other test can take its port) and the server started on it.
    let (base, asked) = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let base = format!("http://127.0.0.1:{port}/api/retail/prices");
        let (first, second) = pages(&base);
        serve_on(listener, vec![Reply::Page(first), Reply::TooMany, Reply::Page(second)])
    };
    let cache = env.path("cache/prices.json");
    let cache_var = cache.display().to_string();
    env.run_with_env(
        ["prices", "update", "--endpoint", &base, "--region", "swedencentral"],
        &[("SCALESET_CACHE", &cache_var)],
    )
    .code(0)
    .stderr_has("2 page(s)")
    .stderr_has("1 VM and 1 disk price(s), 2 network price(s)");
    let asked = asked.lock().unwrap().clone();
    assert_eq!(asked.len(), 3, "page 1, the 429, page 2: {asked:?}");
    assert!(asked[0].contains("currencyCode=%27USD%27") && asked[0].contains("swedencentral"), "{asked:?}");
    assert!(asked[2].ends_with("?page=2"));
    assert!(asked[0].contains("Load%20Balancer") && asked[0].contains("Global"), "{asked:?}");

    // The cache prices the design, offline: 2 x 0.113 x 730 + 2 x 20.28 = 205.54.
    let vars = [("SCALESET_CACHE", cache_var.as_str())];
    let doc = env.run_with_env(["cost", "-o", "json"], &vars).code(0).json();
    assert_eq!(doc["defined"]["monthlyCost"], "205.54", "{doc:#}");
    assert!(
        doc["priceSources"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().starts_with("price cache (fetched"))
    );
    // The network prices too, labelled as the cache's; the rest stay the built-in figures.
    env.define(&format!("{DEFINITION}    loadBalancer: {{ rules: 2, dataProcessedGb: 10 }}\n    publicIps: 1\n"));
    let doc = env.run_with_env(["cost", "-o", "json"], &vars).code(0).json();
    let components = doc["defined"]["scaleSets"][0]["components"].as_array().unwrap();
    let line = |prefix: &str| components.iter().find(|c| c["name"].as_str().unwrap().starts_with(prefix)).unwrap();
    assert_eq!(
        (line("Load balancer (")["price"].as_str(), line("Load balancer (")["source"].as_str()),
        (Some("0.027000"), Some("cache"))
    );
    assert_eq!(
        (line("Public IPv4")["price"].as_str(), line("Public IPv4")["source"].as_str()),
        (Some("0.005500"), Some("cache"))
    );
    assert_eq!(
        (line("Load balancer data")["price"].as_str(), line("Load balancer data")["source"].as_str()),
        (Some("0.005000"), Some("catalog"))
    );
    env.define(DEFINITION);
    env.run_with_env(["prices", "show", "Standard_D2ads_v5"], &vars)
        .code(0)
        .stdout_has("swedencentral")
        .stdout_has("$0.113");
    env.run_with_env(["prices", "status"], &vars).code(0).stdout_has("Price cache:").stdout_has("swedencentral");

    // A connection dropped mid-way: the update fails and the previous cache stays whole.
    let before = std::fs::read(&cache).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let base2 = format!("http://127.0.0.1:{port}/api/retail/prices");
    let (first, _) = pages(&base2);
    let mut script = vec![Reply::Page(first)];
    script.extend((0..5).map(|_| Reply::Drop));
    let _ = serve_on(listener, script);
    env.run_with_env(["prices", "update", "--endpoint", &base2], &vars)
        .code(1)
        .stderr_has("page 2")
        .stderr_has("the previous price cache was left as it was");
    assert_eq!(std::fs::read(&cache).unwrap(), before);
    assert!(crate::support::files_in(&env.path("cache")).iter().all(|n| !n.contains(".tmp.")));
}

/// Serves `script` on `listener`, bound by the caller (so that pages can name its port before
/// the server starts); returns the base address and the requests seen.
fn serve_on(listener: TcpListener, script: Vec<Reply>) -> (String, Arc<Mutex<Vec<String>>>) {
    let port = listener.local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}/api/retail/prices");
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&asked);
    std::thread::spawn(move || {
        for reply in script {
            let Ok((stream, _)) = listener.accept() else { return };
            let mut reader = BufReader::new(stream);
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            seen.lock().unwrap().push(request.split(' ').nth(1).unwrap_or("").to_owned());
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            let mut stream = reader.into_inner();
            let response = match reply {
                Reply::Page(body) => format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
                Reply::TooMany => {
                    "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_owned()
                }
                Reply::Drop => String::new(),
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    (base, asked)
}
