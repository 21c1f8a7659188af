// Candidates as the details are typed, on "Referral for a child not yet recorded".
//
// Once a last name and a date of birth (or both names and a postcode) are typed, and the
// typing has paused for 300 ms, the details are sent to POST /api/v1/matching/candidates
// (POST keeps them out of addresses and logs) with the session's CSRF token. The children
// offered are shown in a polite live region, each with the reasons in words and a "This is
// the child" button that sends the form choosing that child: the server offers the same
// candidates again, records the choice and audits it. Without JavaScript the check before
// saving does the same. A file, not inline script: the Content-Security-Policy forbids that.
(function () {
  "use strict";

  var region = document.getElementById("match-as-typed");
  if (!region || !window.fetch) {
    return;
  }
  var form = region.closest("form");
  var url = region.getAttribute("data-candidates-url");
  var DELAY = 300;
  var timer = null;
  var latest = 0;
  var lastSent = "";
  var controller = null;

  function value(name) {
    var field = form.elements.namedItem(name);
    if (!field) {
      return "";
    }
    if (typeof field.value === "string") {
      return field.value.trim();
    }
    return "";
  }

  function checked(name) {
    var chosen = form.querySelector('input[name="' + name + '"]:checked');
    return chosen ? chosen.value : "";
  }

  function dateOfBirth() {
    var day = value("date_of_birth_0");
    var month = value("date_of_birth_1");
    var year = value("date_of_birth_2");
    if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) {
      return "";
    }
    var iso = year + "-" + ("0" + month).slice(-2) + "-" + ("0" + day).slice(-2);
    var parsed = new Date(iso + "T00:00:00Z");
    if (isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== iso) {
      return "";
    }
    return iso;
  }

  function details() {
    var body = {
      given_name: value("given_name"),
      family_name: value("family_name"),
      date_of_birth: dateOfBirth() || null,
      dob_approximate: Boolean(form.querySelector('input[name="dob_approximate"]:checked')),
      postcode: value("postcode"),
      nhs_number: value("nhs_number").replace(/\s/g, ""),
      upn: value("upn").replace(/\s/g, ""),
      school: value("school")
    };
    var sex = checked("sex");
    if (sex) {
      body.sex = sex;
    }
    if (!/^\d{10}$/.test(body.nhs_number)) {
      body.nhs_number = "";
    }
    if (body.upn.length !== 13) {
      body.upn = "";
    }
    return body;
  }

  function enough(body) {
    var postcode = body.postcode.replace(/\s/g, "").length >= 5;
    return Boolean(
      (body.family_name && body.date_of_birth) ||
        (body.given_name && body.family_name && postcode)
    );
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) {
      made.className = className;
    }
    if (text !== undefined) {
      made.textContent = text;
    }
    return made;
  }

  function born(iso) {
    if (!iso) {
      return "date of birth not known";
    }
    var parts = iso.split("-");
    var months = ["January", "February", "March", "April", "May", "June", "July", "August",
      "September", "October", "November", "December"];
    return "born " + Number(parts[2]) + " " + months[Number(parts[1]) - 1] + " " + parts[0];
  }

  function reasons(candidate, name) {
    var table = element("table", "govuk-table app-table--stack");
    var caption = element("caption", "govuk-table__caption govuk-table__caption--s",
      "Why " + name + " may be the same child");
    table.appendChild(caption);
    var head = element("thead", "govuk-table__head");
    var headRow = element("tr", "govuk-table__row");
    ["Detail", "Compared", "How much it counted"].forEach(function (label) {
      var th = element("th", "govuk-table__header", label);
      th.setAttribute("scope", "col");
      headRow.appendChild(th);
    });
    head.appendChild(headRow);
    table.appendChild(head);
    var bodyRows = element("tbody", "govuk-table__body");
    candidate.evidence.forEach(function (item) {
      var row = element("tr", "govuk-table__row");
      var field = element("th", "govuk-table__header",
        item.field.charAt(0).toUpperCase() + item.field.slice(1));
      field.setAttribute("scope", "row");
      field.setAttribute("data-label", "Detail");
      var compared = element("td", "govuk-table__cell", item.compared);
      compared.setAttribute("data-label", "Compared");
      var counted = element("td", "govuk-table__cell", item.counted);
      counted.setAttribute("data-label", "How much it counted");
      row.appendChild(field);
      row.appendChild(compared);
      row.appendChild(counted);
      bodyRows.appendChild(row);
    });
    table.appendChild(bodyRows);
    return table;
  }

  function show(found) {
    region.textContent = "";
    if (!found.candidates.length) {
      region.appendChild(element("p", "govuk-body",
        "No child the hub already holds matches these details so far."));
      return;
    }
    var count = found.candidates.length;
    region.appendChild(element("h2", "govuk-heading-m",
      count === 1 ? "A child the hub already holds may be this child"
        : count + " children the hub already holds may be this child"));
    region.appendChild(element("p", "govuk-body",
      "Check the reasons. If one of them is this child, choose them: the referral will be " +
      "about that child and no new record is made."));
    found.candidates.forEach(function (candidate) {
      var name = candidate.given_name + " " + candidate.family_name;
      var card = element("div", "govuk-summary-card");
      var title = element("div", "govuk-summary-card__title-wrapper");
      var heading = element("h3", "govuk-summary-card__title",
        name + ", " + born(candidate.date_of_birth) + ": " + candidate.percent +
        " likely to be the same child");
      title.appendChild(heading);
      card.appendChild(title);
      var content = element("div", "govuk-summary-card__content");
      if (candidate.alias) {
        content.appendChild(element("p", "govuk-body",
          "Matched on another name this child is known by: " + candidate.alias + "."));
      }
      content.appendChild(reasons(candidate, name));
      var choose = element("button", "govuk-button govuk-button--secondary",
        "This is the child: " + name);
      // Not a submit button: Enter in a text box must still mean "Save child", not this.
      choose.type = "button";
      choose.addEventListener("click", function () {
        choosing(candidate.child_id);
      });
      content.appendChild(choose);
      card.appendChild(content);
      region.appendChild(card);
    });
  }

  function choosing(child) {
    var match = form.querySelector('input[type="hidden"][name="match"]');
    if (!match) {
      match = element("input");
      match.type = "hidden";
      match.name = "match";
      form.appendChild(match);
    }
    match.value = String(child);
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      form.submit();
    }
  }

  function ask() {
    var body = details();
    if (!enough(body)) {
      return;
    }
    var sent = JSON.stringify(body);
    if (sent === lastSent) {
      return;
    }
    lastSent = sent;
    var ticket = ++latest;
    if (controller) {
      controller.abort();
    }
    controller = window.AbortController ? new AbortController() : null;
    var token = form.querySelector('input[name="csrfmiddlewaretoken"]');
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": token ? token.value : ""
      },
      body: sent,
      signal: controller ? controller.signal : undefined
    })
      .then(function (answer) {
        if (!answer.ok) {
          throw new Error(String(answer.status));
        }
        return answer.json();
      })
      .then(function (found) {
        if (ticket === latest) {
          show(found);
        }
      })
      .catch(function (error) {
        if (ticket !== latest || (error && error.name === "AbortError")) {
          return;
        }
        lastSent = "";
        region.textContent = "";
        region.appendChild(element("p", "govuk-body",
          "Children already held could not be checked just now: they will be checked " +
          "when you save."));
      });
  }

  function typed() {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, DELAY);
  }

  form.addEventListener("input", typed);
  form.addEventListener("change", typed);
})();
