"""mltrace's Test: a class whose ``test*`` methods run before or after a Component's runs."""


class MLTraceError(Exception):
    """A failed mltrace test assertion."""


class Test(object):
    def __init__(self, name=""):
        self._name = name

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = value

    def getTestMethods(self):
        """Every method of this class whose name starts with "test"."""
        import inspect

        return [
            method
            for name, method in inspect.getmembers(self, inspect.ismethod)
            if name.startswith("test")
        ]

    def runTests(self, **kwargs):
        """Runs every test method with the keyword arguments it names. A failed assertion is
        reported and recorded; any other exception propagates, as in mltrace."""
        import inspect

        status = {}
        for method in self.getTestMethods():
            parameters = inspect.signature(method).parameters
            args = {k: v for k, v in kwargs.items() if k in parameters}
            try:
                method(**args)
                status[method.__name__] = "success"
            except MLTraceError as error:
                status[method.__name__] = "fail"
                if str(error):
                    status[method.__name__] += ", error: " + str(error)
                    print("Test " + method.__name__ + " failed: " + str(error))
                else:
                    print("Test " + method.__name__ + " failed")
        return status

    def assertEqual(self, a, b, msg=None):
        if not a == b:
            raise MLTraceError(msg)

    def assertNotEqual(self, a, b, msg=None):
        if not a != b:
            raise MLTraceError(msg)

    def assertGreater(self, a, b, msg=None):
        if not a > b:
            raise MLTraceError(msg)

    def assertLess(self, a, b, msg=None):
        if not a < b:
            raise MLTraceError(msg)

    def assertGreaterEqual(self, a, b, msg=None):
        if not a >= b:
            raise MLTraceError(msg)

    def assertLessEqual(self, a, b, msg=None):
        if not a <= b:
            raise MLTraceError(msg)

    def assertTrue(self, a, msg=None):
        if not a:
            raise MLTraceError(msg)

    def assertFalse(self, a, msg=None):
        if a:
            raise MLTraceError(msg)
