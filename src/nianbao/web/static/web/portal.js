// The portal's only script besides htmx: the progress bar of a workbook upload.
document.addEventListener("htmx:xhr:progress", function (event) {
  var bar = document.getElementById("upload-progress");
  if (bar && event.detail.lengthComputable) {
    bar.hidden = false;
    bar.value = Math.round(100 * event.detail.loaded / event.detail.total);
  }
});
