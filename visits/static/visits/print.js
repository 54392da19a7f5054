// A "Print" button on the calendars: [data-print] opens the browser's print dialog (the print stylesheet does the layout).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
