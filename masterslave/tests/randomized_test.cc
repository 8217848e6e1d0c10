#include "masterslave/tests/cluster_fixture.h"
