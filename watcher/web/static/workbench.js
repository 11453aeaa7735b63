// Live preview for the rule workbench: while the rule or the pasted text is edited, the test runs again
// and its result replaces the one shown. Without JavaScript the Test button does the same.
(function () {
  "use strict";
  var form = document.getElementById("workbench");
  if (!form || !window.fetch) { return; }
  var timer = null;
  var sent = 0;
  function run() {
    var text = form.elements.text.value.trim();
    if (!text && !form.elements.article.value.trim()) { return; }
    var data = new FormData(form);
    data.set("do", "test");
    data.delete("url");  // fetching a page is only done on request
    var mine = ++sent;
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        if (mine !== sent) { return; }  // a newer edit is on its way
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("result");
        var shown = document.getElementById("result");
        if (fresh && shown) { shown.replaceWith(fresh); }
        else if (fresh) { form.parentNode.insertBefore(fresh, form); }
      })
      .catch(function () { /* the Test button still works */ });
  }
  ["yaml", "text", "article"].forEach(function (name) {
    form.elements[name].addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 600);
    });
  });
}());
