"""Test steps that build on one another, as an operator's session does
(the compose and swarm suites): unittest runs a class's test methods in name
order (test_1_..., test_2_...); once one fails, the later ones are skipped
with the name of the step that failed, instead of failing on its leftovers.
"""
import unittest


class Steps(unittest.TestCase):
    failed_step = None  # per subclass, once a step of it failed

    def setUp(self):
        if type(self).failed_step:
            self.skipTest(f"{type(self).failed_step} failed")

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        problems = len(result.failures) + len(result.errors)
        super().run(result)
        if len(result.failures) + len(result.errors) > problems:
            type(self).failed_step = self._testMethodName
        return result
