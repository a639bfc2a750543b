// "Near me" / "Use my location": fill a form's hidden latitude and longitude fields from the
// browser's location (named by the button's data-lat and data-lon), then submit the form when
// data-submit is set. Without JavaScript or permission, the typed fields still work.
// data-decimals: how precisely to fill them (default 5, about a metre; searches use 2, about a km).
(function () {
  "use strict";
  if (!("geolocation" in navigator)) { return; }
  document.querySelectorAll("button[data-lat][data-lon]").forEach(function (button) {
    var form = button.form;
    var status = document.getElementById(button.getAttribute("aria-describedby"));
    button.parentElement.hidden = false;
    var decimals = Number(button.dataset.decimals || 5);
    button.addEventListener("click", function () {
      status.textContent = button.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        form.elements[button.dataset.lat].value = position.coords.latitude.toFixed(decimals);
        form.elements[button.dataset.lon].value = position.coords.longitude.toFixed(decimals);
        status.textContent = button.dataset.found || "";
        if (button.dataset.submit !== undefined) { form.submit(); }
      }, function () {
        status.textContent = button.dataset.denied;
        var typed = form.querySelector("input[type=text], input[type=search]");
        if (typed) { typed.focus(); }
      }, { timeout: 10000, maximumAge: 300000 });
    });
  });
})();
