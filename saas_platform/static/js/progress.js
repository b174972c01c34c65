// Polls a provisioning job and moves the bar; redirects into the workspace when it is ready.
(function () {
  var box = document.getElementById("progress");
  if (!box) return;
  var bar = box.querySelector(".progress-bar");
  var meter = box.querySelector("[role=progressbar]");
  var message = box.querySelector("[data-role=message]");
  var failed = box.querySelector("[data-role=failed]");
  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        bar.style.width = job.progress + "%";
        meter.setAttribute("aria-valuenow", job.progress);
        if (job.message) message.textContent = job.message;
        if (job.state === "done" && job.redirect) { window.location = job.redirect; return; }
        if (job.state === "failed") { failed.hidden = false; return; }
        setTimeout(poll, 700);
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
