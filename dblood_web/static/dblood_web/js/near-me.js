// "Near me": fill the hidden lat/lon fields from the browser's location and search.
// Without JavaScript or permission, the typed city/name field still works.
(function () {
  "use strict";
  var button = document.getElementById("near-me");
  if (!button || !("geolocation" in navigator)) { return; }
  var form = button.form;
  var status = document.getElementById("near-me-status");
  button.parentElement.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.lat.value = position.coords.latitude.toFixed(5);
      form.elements.lon.value = position.coords.longitude.toFixed(5);
      form.submit();
    }, function () {
      status.textContent = button.dataset.denied;
      var typed = form.querySelector("input[type=text]");
      if (typed) { typed.focus(); }
    }, { timeout: 10000, maximumAge: 300000 });
  });
})();
