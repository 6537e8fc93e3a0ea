"""mltrace's Component: metadata, before/after tests, and the ``run`` decorator."""

import functools

from mltrace import _events, _runs

_SKIP_KEYS = ("skip_before", "skip_after")


class Component(object):
    def __init__(
        self, name="", owner="", description="", beforeTests=[], afterTests=[], tags=[]
    ):
        """A component has a name, an owner, a description, tags, and Test classes to run
        before and after each of its runs. Its metadata travels with every run it logs."""
        self._name = name
        self._owner = owner
        self._description = description
        self._tags = list(tags or [])
        self._beforeTests = list(beforeTests or [])
        self._afterTests = list(afterTests or [])

    def beforeRun(self, **kwargs):
        """Runs every Test in beforeTests with the function's arguments."""
        for test in self._beforeTests:
            _instance(test).runTests(**kwargs)

    def afterRun(self, **local_vars):
        """Runs every Test in afterTests with the function's variables at return."""
        for test in self._afterTests:
            _instance(test).runTests(**local_vars)

    def run(
        self,
        input_filenames=[],
        output_filenames=[],
        input_vars=[],
        output_vars=[],
        input_kwargs={},
        output_kwargs={},
        endpoint=False,
        staleness_threshold=_runs.DEFAULT_STALENESS,
        auto_log=False,
        params=[],
        metrics=[],
        *user_args,
        **user_kwargs
    ):
        """Decorator, bare (``@c.run``) or with mltrace's arguments (``@c.run(input_vars=...)``).

        ``input_filenames`` / ``output_filenames`` and ``input_vars`` / ``output_vars`` name
        variables whose values at return are the pointers; ``input_kwargs`` / ``output_kwargs``
        map a variable holding names to one holding values. Other keyword arguments rename the
        function's variables for the tests (``test_arg="function_var"``); ``skip_before=True``
        and ``skip_after=True`` skip the tests. ``params`` / ``metrics`` (ours) name variables
        recorded at return as the run's parameters and metrics.
        """
        spec = _runs.CaptureSpec(
            input_vars=_runs._var_names(input_filenames) + _runs._var_names(input_vars),
            output_vars=_runs._var_names(output_filenames) + _runs._var_names(output_vars),
            input_kwargs=input_kwargs,
            output_kwargs=output_kwargs,
            endpoint=endpoint,
            staleness_threshold=staleness_threshold,
            auto_log=auto_log,
            input_labels=input_vars if isinstance(input_vars, dict) else None,
            params=params,
            metrics=metrics,
        )
        renames = {v: k for k, v in user_kwargs.items() if k not in _SKIP_KEYS}
        skip_before = bool(user_kwargs.get("skip_before"))
        skip_after = bool(user_kwargs.get("skip_after"))

        def decorator(func):
            info = _runs.FunctionInfo(func)
            parameter_names = []

            @functools.wraps(func)
            def wrapper(*args, **kwargs):
                if not parameter_names:
                    parameter_names.append(_parameter_names(func))
                names = parameter_names[0]
                if set(_SKIP_KEYS) & (set(names) | set(kwargs)):
                    raise ValueError(
                        "skip_before or skip_after cannot be in the arguments of the function "
                        + func.__name__
                    )
                before = None
                if not skip_before:
                    arguments = {renames.get(k, k): v for k, v in zip(names, args)}
                    arguments.update(kwargs)
                    before = functools.partial(self.beforeRun, **arguments)
                result, local_vars = _runs.logged_call(
                    self.name,
                    info,
                    spec,
                    args,
                    kwargs,
                    job_facets=_events.component_facets(self.description, self.owner, self.tags),
                    before=before,
                )
                if not skip_after:
                    self.afterRun(**{renames.get(k, k): v for k, v in local_vars.items()})
                return result

            return wrapper

        if callable(input_filenames):  # used bare: @component.run
            return decorator(input_filenames)
        return decorator

    @property
    def name(self):
        return self._name

    @property
    def owner(self):
        return self._owner

    @property
    def description(self):
        return self._description

    @property
    def tags(self):
        return self._tags

    @property
    def beforeTests(self):
        return self._beforeTests

    @property
    def afterTests(self):
        return self._afterTests

    def to_dictionary(self):
        return {
            "name": self.name,
            "owner": self.owner,
            "description": self.description,
            "tags": self.tags,
        }

    def __repr__(self):
        return "Component(name=%r, owner=%r)" % (self.name, self.owner)


def _instance(test):
    return test() if isinstance(test, type) else test


def _parameter_names(func):
    import inspect

    try:
        return inspect.getfullargspec(func).args
    except TypeError:
        return []
