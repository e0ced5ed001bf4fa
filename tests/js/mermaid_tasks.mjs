// Reads Mermaid gantt text on stdin; prints the tasks Mermaid computed as JSON on stdout:
// {"title", "tasks": [{id, task, section, start, end, milestone}]}, dates as local YYYY-MM-DD.
// Text is as Mermaid's db holds it: entities still encoded (its renderer decodes them).
import { readFileSync } from "node:fs";
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>", { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;

const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

const pad = (n) => String(n).padStart(2, "0");
const day = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

const text = readFileSync(0, "utf8");
const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
const tasks = diagram.db.getTasks().map((task) => ({
  id: task.id,
  task: task.task,
  section: task.section,
  start: day(task.startTime),
  end: day(task.endTime),
  milestone: Boolean(task.milestone),
}));
const title = diagram.db.getDiagramTitle ? diagram.db.getDiagramTitle() : null;
process.stdout.write(JSON.stringify({ title, tasks }) + "\n");
