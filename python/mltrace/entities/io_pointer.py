from mltrace._pointers import PointerTypeEnum, coerce_type, infer_pointer_type, pointer_name


class IOPointer(object):
    """A named artifact a run reads or writes (usually a file path).

    The type is inferred from the name as mltrace does unless given; ``value`` and ``flag``
    are accepted for compatibility (values are not logged; flag with ``flag_output_id``).
    """

    def __init__(self, name, pointer_type=None, value=None, flag=False, **_ignored):
        self._name = pointer_name(name)
        self._declared_type = coerce_type(pointer_type)
        self._value = value
        self._flag = bool(flag)

    @property
    def name(self):
        return self._name

    @property
    def pointer_type(self):
        return self._declared_type or infer_pointer_type(self._name)

    @property
    def value(self):
        return self._value

    @property
    def flag(self):
        return self._flag

    def to_dictionary(self):
        return {"name": self.name, "pointer_type": self.pointer_type, "flag": self.flag}

    def __eq__(self, other):
        return isinstance(other, IOPointer) and other.name == self.name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return "IOPointer(name=%r, pointer_type=%s)" % (self.name, self.pointer_type.value)


__all__ = ["IOPointer", "PointerTypeEnum"]
