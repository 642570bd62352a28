// Theme before first paint (no flash); the Settings page changes it. A file, not an inline
// script: `aitrader serve` sends Content-Security-Policy default-src 'self', which blocks inline code.
try {
  var t = localStorage.getItem("aitrader.theme");
  if (t === "light") document.documentElement.classList.remove("dark");
} catch (e) {}
