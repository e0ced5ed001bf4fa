// Reads an iCalendar file with ical.js (Mozilla's parser, as Thunderbird uses it) and prints
// what it read as JSON: the calendar's properties and, per event, uid, summary, start, end
// (all-day dates as YYYY-MM-DD), whether the start is a date, status and sequence.
// Usage: node icaljs_read.mjs FEED.ics
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const path = process.argv[2];
if (!path) {
  console.error("usage: node icaljs_read.mjs FEED.ics");
  process.exit(2);
}
const text = readFileSync(path, "utf8");
const calendar = new ICAL.Component(ICAL.parse(text));
const events = calendar.getAllSubcomponents("vevent").map((component) => {
  const event = new ICAL.Event(component);
  return {
    uid: event.uid,
    summary: event.summary,
    start: event.startDate.toString(),
    end: event.endDate.toString(),
    allDay: event.startDate.isDate,
    status: component.getFirstPropertyValue("status"),
    sequence: event.sequence,
    alarms: component.getAllSubcomponents("valarm").length,
  };
});
const calname = calendar.getFirstPropertyValue("x-wr-calname");
process.stdout.write(JSON.stringify({ calname, events }) + "\n");
