// What a reader's phone downloads: each page opened in a fresh Chromium profile at a phone's
// width (first visit), then another page of the same edition with the cache warm (second
// visit), then the first page again (a return). Bytes are what crossed the network (CDP's encodedDataLength: headers and compressed
// bodies), summed over every request of the page until the network is quiet; the cumulative
// layout shift is read from the page's own PerformanceObserver.
//
//   node bench/page-weight.mjs BASE_URL FIRST_PATH SECOND_PATH [WIDTH] [DPR]
import puppeteer from "puppeteer-core";

const [base, firstPath, secondPath, width = "390", dpr = "1"] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});

async function visit(page, client, path) {
  const requests = new Map();
  let bytes = 0;
  const onResponse = (e) => requests.set(e.requestId, { url: e.response.url, fromCache: e.response.fromDiskCache });
  const onFinished = (e) => {
    bytes += e.encodedDataLength;
    const r = requests.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  };
  client.on("Network.responseReceived", onResponse);
  client.on("Network.loadingFinished", onFinished);
  await page.goto(base + path, { waitUntil: "networkidle0" });
  // Layout shifts, read after the page settled (fonts and pictures in).
  const cls = await page.evaluate(
    () =>
      new Promise((resolve) => {
        let total = 0;
        new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
        }).observe({ type: "layout-shift", buffered: true });
        setTimeout(() => resolve(total), 500);
      }),
  );
  client.off("Network.responseReceived", onResponse);
  client.off("Network.loadingFinished", onFinished);
  const list = [...requests.values()].filter((r) => r.bytes !== undefined);
  return { bytes, cls, requests: list };
}

const context = await browser.createBrowserContext();
const page = await context.newPage();
await page.setViewport({ width: Number(width), height: 844, deviceScaleFactor: Number(dpr), isMobile: true, hasTouch: true });
const client = await page.createCDPSession();
await client.send("Network.enable");
const first = await visit(page, client, firstPath);
const second = await visit(page, client, secondPath);
const again = await visit(page, client, firstPath);
await browser.close();

const kb = (n) => (n / 1024).toFixed(1) + " KB";
for (const [name, v] of [["first visit", first], ["second visit", second], ["return", again]]) {
  console.log(`${name.padEnd(13)} ${kb(v.bytes).padStart(9)}  CLS ${v.cls.toFixed(4)}  ${v.requests.length} requests`);
  for (const r of v.requests.sort((a, b) => b.bytes - a.bytes)) {
    console.log(`    ${kb(r.bytes).padStart(9)}  ${decodeURI(r.url.replace(base, ""))}`);
  }
}
console.log(JSON.stringify({ first: first.bytes, second: second.bytes, again: again.bytes, cls: Math.max(first.cls, second.cls, again.cls) }));
