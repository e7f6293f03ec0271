/* Copy buttons next to read-only links; without JavaScript the link can be selected. */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.querySelector(button.dataset.copy);
    if (!input) return;
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      input.select();
      var copied = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(input.value)
        : Promise.resolve(document.execCommand("copy"));
      copied.then(function () {
        button.textContent = button.dataset.copied;
        setTimeout(function () { button.textContent = label; }, 2000);
      }).catch(function () {});
    });
  });
})();
