/* The check-in page, better with JavaScript: search as you type, check in and undo without
   reloading, a live counter. Without it the page's plain forms do the same with reloads.
   No library, no external URL; text goes into the page as text (never as HTML). */
(function () {
  "use strict";
  var body = document.body;
  var base = body.getAttribute("data-base");
  var eventId = body.getAttribute("data-event");
  if (!base) { return; }
  var q = document.getElementById("q");
  var results = document.getElementById("results");
  var message = document.getElementById("message");
  var counter = document.getElementById("counter");
  var checkInWord = results.getAttribute("data-check-in");
  var lastTyped = null;
  var timer = null;

  function send(url, form) {
    return fetch(url, {
      method: form ? "POST" : "GET",
      body: form || undefined,
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { throw new Error(data.error || String(response.status)); }
        return data;
      });
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  function showCounter(data) {
    if (data && data.counter) { counter.textContent = data.counter; }
  }

  function say(text, isError, undoPerson, undoWord) {
    message.textContent = "";
    message.appendChild(element("p", isError ? "error" : "ok", text));
    if (undoPerson) {
      var undo = element("button", null, undoWord);
      undo.id = "undo";
      undo.type = "button";
      undo.addEventListener("click", function () {
        var form = new FormData();
        form.append("person", undoPerson);
        form.append("event", eventId);
        send(base + "/undo", form).then(function (data) {
          say(data.message, false);
          showCounter(data);
          search(true);
        }, function (error) { say(error.message, true); });
      });
      message.appendChild(undo);
    }
  }

  function checkIn(person) {
    var form = new FormData();
    form.append("person", person);
    form.append("event", eventId);
    send(base + "/in", form).then(function (data) {
      say(data.message, false, data.person, data.undo);
      showCounter(data);
      search(true);
    }, function (error) { say(error.message, true); });
  }

  function render(data) {
    results.textContent = "";
    if (!data.results.length) {
      results.appendChild(element("li", "nobody", results.getAttribute("data-nobody")));
      return;
    }
    data.results.forEach(function (person) {
      var item = element("li");
      var who = element("div", "who");
      who.appendChild(element("span", "name", person.name));
      if (person.relation_label) { who.appendChild(element("span", "tag", person.relation_label)); }
      var contact = [person.email, person.phone].filter(Boolean).join(" · ");
      who.appendChild(element("span", "contact", contact));
      var button = element("button", null, checkInWord);
      button.type = "button";
      button.className = "check-in-button";
      button.addEventListener("click", function () { checkIn(person.id); });
      item.appendChild(who);
      item.appendChild(button);
      results.appendChild(item);
    });
  }

  function search(again) {
    var typed = q.value.trim();
    if (typed === lastTyped && !again) { return; }
    lastTyped = typed;
    if (typed.length < 2) { results.textContent = ""; return; }
    send(base + "/search.json?q=" + encodeURIComponent(typed)).then(function (data) {
      if (typed === q.value.trim()) { render(data); }
    }, function (error) { say(error.message, true); });
  }

  q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 120);
  });
  document.getElementById("search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    search(true);
  });
  results.addEventListener("submit", function (e) {
    e.preventDefault();
    var person = e.target.querySelector("input[name=person]");
    if (person) { checkIn(person.value); }
  });
  var walkIn = document.getElementById("walk-in");
  walkIn.addEventListener("submit", function (e) {
    e.preventDefault();
    send(base + "/walk-in", new FormData(walkIn)).then(function (data) {
      say(data.message, false, data.person, data.undo);
      showCounter(data);
      walkIn.reset();
    }, function (error) { say(error.message, true); });
  });
  var undoForm = message.querySelector("form.undo");
  if (undoForm) {
    undoForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var form = new FormData(undoForm);
      send(base + "/undo", form).then(function (data) {
        say(data.message, false);
        showCounter(data);
      }, function (error) { say(error.message, true); });
    });
  }
  setInterval(function () {
    if (document.hidden) { return; }
    send(base + "/status.json").then(showCounter, function () {});
  }, 5000);
})();
