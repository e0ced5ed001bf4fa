// Shared by the browser pages: collect every error, load the data file named in ?data=,
// run the page's draw(), then write what was drawn into <pre id="result"> for the test.
"use strict";
window.harnessErrors = [];
window.addEventListener("error", (event) => {
  window.harnessErrors.push("error: " + (event.message || String(event)));
});
window.addEventListener("unhandledrejection", (event) => {
  const reason = event.reason;
  window.harnessErrors.push("unhandledrejection: " + (reason && reason.message ? reason.message : String(reason)));
});
const consoleError = console.error.bind(console);
console.error = (...args) => {
  window.harnessErrors.push("console.error: " + args.map(String).join(" "));
  consoleError(...args);
};

function harnessReport(result) {
  result.errors = window.harnessErrors.slice();
  result.injected = Boolean(window.__aomoriInjected) || document.querySelectorAll("script[data-injected], img[data-injected]").length > 0;
  const out = document.createElement("pre");
  out.id = "result";
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
}

function harnessLocalDate(value) {
  const d = new Date(value);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function harnessRun(draw, collect) {
  const source = new URLSearchParams(window.location.search).get("data");
  const script = document.createElement("script");
  script.src = source;
  script.onerror = () => harnessReport({ fatal: "data file not loaded: " + source });
  script.onload = async () => {
    try {
      await draw();
    } catch (error) {
      window.harnessErrors.push("exception: " + (error && error.stack ? error.stack : String(error)));
    }
    // Frappe places labels in the next animation frame; give every library a moment.
    setTimeout(() => {
      let result;
      try {
        result = collect();
      } catch (error) {
        window.harnessErrors.push("collect: " + String(error));
        result = {};
      }
      harnessReport(result);
    }, 1500);
  };
  document.head.appendChild(script);
}
