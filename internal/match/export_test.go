package match

// Update is the -update flag, for the tests of package match_test.
var Update = update
