// Keyboard shortcuts for agents: r reply, n note, j/k move through the inbox, Enter opens.
(function () {
  function typing(e) {
    const t = e.target;
    return t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName);
  }
  function focusComposer(kind) {
    const radio = document.querySelector(`.composer input[name=kind][value=${kind}]`);
    if (!radio) return false;
    radio.checked = true;
    document.getElementById("body").focus();
    return true;
  }
  let row = -1;
  function move(step) {
    const rows = Array.from(document.querySelectorAll("table.tickets tbody tr[data-ticket]"));
    if (!rows.length) return false;
    rows.forEach((r) => r.classList.remove("selected"));
    row = Math.max(0, Math.min(rows.length - 1, row + step));
    rows[row].classList.add("selected");
    rows[row].querySelector("a").focus();
    return true;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) return;
    const done =
      (e.key === "r" && focusComposer("reply")) ||
      (e.key === "n" && focusComposer("note")) ||
      (e.key === "j" && move(1)) ||
      (e.key === "k" && move(-1)) ||
      (e.key === "/" && document.getElementById("q") && (document.getElementById("q").focus(), true));
    if (done) e.preventDefault();
  });
})();
