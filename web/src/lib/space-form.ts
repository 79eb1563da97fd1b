// Checks the "Host a Space" form in people's words before anything is sent; the server checks again, in its own terms.
export const TITLE_MAX = 100;
const TOPIC_PATTERN = /^[a-z0-9][a-z0-9-]{1,23}$/;
const MIN_LEAD_MS = 10 * 60_000;
const MAX_LEAD_MS = 30 * 24 * 3600_000;

export type SpaceFormValues = {
  title: string;
  topicsText: string;
  schedule: boolean;
  scheduledLocal: string;
  ticketed: boolean;
  price: string;
  capacity: string;
};

export type SpaceFormErrors = Partial<Record<"title" | "topics" | "scheduledFor" | "price" | "capacity", string>>;

export const topicsOf = (text: string) => text.split(",").map((t) => t.trim().toLowerCase().replace(/^#/, "")).filter(Boolean);

export function validateSpaceForm(values: SpaceFormValues, now = Date.now()): SpaceFormErrors {
  const errors: SpaceFormErrors = {};
  const title = values.title.trim();
  if (!title) errors.title = "Give your Space a title.";
  else if (title.length > TITLE_MAX) errors.title = `The title is ${title.length} characters; shorten it to ${TITLE_MAX} or fewer.`;

  const topics = topicsOf(values.topicsText);
  if (topics.length > 3) errors.topics = "Pick at most 3 topics.";
  else {
    const bad = topics.find((t) => !TOPIC_PATTERN.test(t));
    if (bad) errors.topics = `“${bad}” can't be a topic: use 2 to 24 letters, digits or dashes.`;
  }

  if (values.schedule) {
    const at = values.scheduledLocal ? new Date(values.scheduledLocal).getTime() : Number.NaN;
    if (!values.scheduledLocal || Number.isNaN(at)) errors.scheduledFor = "Pick a date and time, or untick “Schedule for later”.";
    else if (at < now + MIN_LEAD_MS) errors.scheduledFor = "Pick a time at least 10 minutes from now.";
    else if (at > now + MAX_LEAD_MS) errors.scheduledFor = "Pick a time within the next 30 days.";
  }

  if (values.ticketed) {
    const price = Number(values.price);
    if (values.price.trim() === "" || !Number.isFinite(price)) errors.price = "Enter a ticket price, like 5.00.";
    else if (price < 1 || price > 999) errors.price = "Ticket prices go from $1.00 to $999.00.";
    else if (Math.round(price * 100) !== Math.round(price * 1000) / 10) errors.price = "Use at most two decimals (cents).";
    const capacity = Number(values.capacity);
    if (values.capacity.trim() === "" || !Number.isInteger(capacity)) errors.capacity = "Enter how many tickets to sell, as a whole number.";
    else if (capacity < 1 || capacity > 10_000) errors.capacity = "Sell from 1 to 10,000 tickets.";
  }
  return errors;
}
