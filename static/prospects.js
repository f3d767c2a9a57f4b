// The prospect list's "select all" box ticks every row shown (the server takes it to mean
// every row the filter shows, on every page); unticking a row unticks "select all".
document.addEventListener("DOMContentLoaded", function () {
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
