// Polls an import's status, moves the bar, and opens the report when the import has finished.
(function () {
  var box = document.getElementById("import-progress");
  if (!box) return;
  var bar = box.querySelector(".progress-bar");
  var meter = box.querySelector("[role=progressbar]");
  var message = box.querySelector("[data-role=message]");
  var text = { of: box.dataset.textOf, checked: box.dataset.textChecked, saved: box.dataset.textSaved };
  function describe(job) {
    if (!job.total_rows) return job.state_label;
    if (job.processed_rows < job.total_rows) {
      return job.state_label + ": " + job.processed_rows + " " + text.of + " " + job.total_rows + " " + text.checked;
    }
    return job.state_label + ": " + job.written_rows + " " + text.of + " " + job.total_rows + " " + text.saved;
  }
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.style.width = job.progress + "%";
        meter.setAttribute("aria-valuenow", job.progress);
        message.textContent = describe(job);
        if (job.redirect) { window.location = job.redirect; return; }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
