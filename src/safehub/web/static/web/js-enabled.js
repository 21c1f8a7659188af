// Runs first in <body> so GOV.UK Frontend styles its components before they paint.
// It is a file, not inline script, so the Content-Security-Policy can forbid inline script.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
