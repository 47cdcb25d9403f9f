// allauth's WebAuthn script (mfa/js/webauthn.js) reports a key ceremony that failed or was cancelled as an
// `allauth.error` event and otherwise only logs it to the console. Show the page's error summary instead, so someone
// whose key was not used knows it, and can try again or choose another way. A file of its own, not inline script,
// for the Content Security Policy.
document.addEventListener("allauth.error", function (event) {
  var summary = document.getElementById("security-key-error");
  if (!summary) {
    return;
  }
  event.preventDefault();
  summary.hidden = false;
  summary.focus();
});
