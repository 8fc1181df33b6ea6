// The standalone receipt page (an HQ admin's browser): its print button.
// No inline handler: the Content-Security-Policy runs no inline script.
document.querySelector('[data-testid="receipt-print"]')?.addEventListener("click", () => window.print());
