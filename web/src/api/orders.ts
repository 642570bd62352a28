// Which orders are still working at the venue. The engine's statuses (exchange/types.hpp) are NEW,
// TRIGGERED (a stop whose trigger price was touched, now a market order), PARTIALLY_FILLED — and
// the terminal FILLED, CANCELED, EXPIRED, REJECTED. Anything not terminal counts as open, so an
// unknown status is listed (the emergency-stop confirmation would rather name one order too many).
const TERMINAL = ["filled", "canceled", "cancelled", "expired", "rejected"];
export const isOpenOrder = (status: string) => !TERMINAL.includes(status.toLowerCase());
