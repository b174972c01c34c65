// Polls a provisioning job and moves the bar; redirects into the workspace when it is ready.
// data-poll-ms (default 700) is the first interval; it grows by half each poll up to 700 ms, so a
// workspace from the warm pool opens within a fraction of a second and a slow build is not hammered.
(function () {
  var box = document.getElementById("progress");
  if (!box) return;
  var delay = parseInt(box.dataset.pollMs || "700", 10);
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
        setTimeout(poll, delay);
        delay = Math.min(700, Math.round(delay * 1.5));
      })
      .catch(function () { setTimeout(poll, 2000); });
  }
  poll();
})();
