// The prospect list's "select all" box ticks every row shown (the server takes it to mean
// every row the filter shows, on every page); unticking a row unticks "select all".
document.addEventListener("DOMContentLoaded", function () {
  // Enter in a field of the bulk changes would press the form's first button (the ask
  // preview): it does nothing there; each change has its own button.
  document.querySelectorAll("details.bulk input").forEach(function (field) {
    field.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  });
  var all = document.getElementById("select-all");
  if (!all) return;
  var rows = document.querySelectorAll("table.prospects input[name=prospect]");
  all.addEventListener("change", function () {
    rows.forEach(function (box) { box.checked = all.checked; });
  });
  rows.forEach(function (box) {
    box.addEventListener("change", function () {
      if (!box.checked) all.checked = false;
    });
  });
});
