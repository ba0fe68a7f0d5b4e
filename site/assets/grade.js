// The grade shown beside the lessons. Empty in the static site: `kubelab site
// serve` answers this file with the grade.json it was given.
window.KUBELAB_GRADE = null;
