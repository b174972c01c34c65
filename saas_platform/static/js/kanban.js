// Deal board: drag a card to another column (or place in a column); htmx posts the move.
// Without JavaScript a card opens its deal, whose page has the move form.
(function () {
  var board = document.getElementById("board");
  if (!board || !window.htmx) return;
  board.classList.add("js");
  var dragged = null;

  function positionIn(list, y) {
    var cards = Array.prototype.slice.call(list.querySelectorAll(".deal-card:not(.dragging)"));
    for (var i = 0; i < cards.length; i++) {
      var box = cards[i].getBoundingClientRect();
      if (y < box.top + box.height / 2) return { index: i, before: cards[i] };
    }
    return { index: cards.length, before: null };
  }

  function post(card, stage, position, extra) {
    var values = Object.assign({ stage: stage, position: position }, extra || {});
    var url = board.dataset.moveUrl.replace("/0/", "/" + card.dataset.deal + "/");
    return htmx.ajax("POST", url, {
      values: values, swap: "none", headers: { "X-CSRFToken": board.dataset.csrf }
    }).then(function () {
      // Redraw the columns from the server so counts and totals follow the move.
      return htmx.ajax("GET", window.location.href, { target: "#board", select: "#board > section", swap: "innerHTML" });
    });
  }

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest(".deal-card");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.deal);
  });
  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
  });
  board.addEventListener("dragover", function (event) {
    if (event.target.closest(".column")) event.preventDefault();
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest(".column");
    if (!column || !dragged) return;
    event.preventDefault();
    var card = dragged, list = column.querySelector(".cards-list");
    var place = positionIn(list, event.clientY);
    var move = function (extra) {
      list.insertBefore(card, place.before);
      var empty = list.querySelector(".empty-column");
      if (empty) empty.remove();
      post(card, column.dataset.stage, place.index, extra);
    };
    if (column.dataset.kind === "lost") {
      var dialog = document.getElementById("lost-dialog");
      dialog.returnValue = "";
      dialog.showModal();
      dialog.addEventListener("close", function onClose() {
        dialog.removeEventListener("close", onClose);
        if (dialog.returnValue !== "ok") return;
        var form = document.getElementById("lost-form");
        move({ reason: form.reason.value, note: form.note.value });
      });
    } else {
      move();
    }
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var message = "";
    try { message = JSON.parse(event.detail.xhr.responseText).error; } catch (e) { message = ""; }
    window.alert(message || "Could not move the deal.");
    window.location.reload();
  });
})();
